package io.starspark.driver;

import io.starspark.model.Tokenizer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code starspark tokenize}: token ids of a text, as a prompt or context is tokenized. */
@Command(name = "tokenize", description = "Print the token ids of a text (BOS + SentencePiece(\" \" + text)).")
final class TokenizeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PATH", description = "GGUF model file")
    String model;

    @Option(names = "--text", required = true, description = "text to tokenize")
    String text;

    @Option(names = "--raw", description = "no BOS and no added leading space (how questions are tokenized)")
    boolean raw;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        Tokenizer tokenizer = Models.load(model).tokenizer();
        int[] ids = tokenizer.encode(text, !raw, !raw);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("ids", ids);
        output.print(spec.commandLine().getOut(), result);
        return ErrorContract.EXIT_OK;
    }
}
