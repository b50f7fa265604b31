package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.HadoopConfs;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starspark generate}: greedy (or sampled) continuation of a prompt on one JVM, or the answer
 * to a question about a long context file with full, star or sparse attention (star and sparse run
 * phase 1 on Spark).
 */
@Command(name = "generate", description = "Generate text from a prompt, or answer a question about a context file.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--prompt", description = "prompt text, tokenized as BOS + SentencePiece(\" \" + text)")
    String prompt;

    @Option(names = "--context-file", paramLabel = "FILE", description = "long context (local path or Hadoop URI)")
    String contextFile;

    @Option(names = "--question", description = "question about the context, tokenized with no BOS and no added space")
    String question;

    @Option(names = "--chat", description = "wrap the prompt (or the question, after the raw context) in the model's "
            + "own chat template (tokenizer.chat_template) as one user turn, with the assistant's generation prompt")
    boolean chat;

    @Option(names = "--system", paramLabel = "TEXT", description = "system message before the user turn (with --chat)")
    String system;

    @Option(names = "--temperature", description = "sample with this temperature (default: greedy)")
    Float temperature;

    @Option(names = "--top-p", defaultValue = "0.9", description = "nucleus mass when sampling (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Mixin
    AnswerOptions answerOptions;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        StarSettings settings = answerOptions.settings();
        LlamaModel m = answerOptions.loadModel(settings);
        Sampler sampler = sampler();
        Map<String, Object> result;
        if (prompt != null) {
            result = generateFromPrompt(m, settings, sampler);
        } else {
            result = answer(m, settings, sampler);
        }
        output.print(spec.commandLine().getOut(), result);
        return ErrorContract.EXIT_OK;
    }

    private Sampler sampler() {
        if (temperature == null) {
            return Sampler.greedy();
        }
        if (!(temperature > 0) || !(topP > 0) || topP > 1) {
            throw new UserError("--temperature must be > 0 and --top-p in (0, 1] (got " + temperature + ", " + topP + ")");
        }
        return Sampler.topP(temperature, topP, seed);
    }

    private Map<String, Object> generateFromPrompt(LlamaModel m, StarSettings settings, Sampler sampler) {
        if (contextFile != null || question != null) {
            throw new UserError("give either --prompt, or --context-file with --question, not both");
        }
        if (prompt.isBlank()) {
            throw new UserError("--prompt is empty");
        }
        StarOptions star = answerOptions.starOptions;
        if (star.attentionGiven() && settings.attention() != AttentionMode.FULL) {
            throw new UserError("--attention " + star.attention + " needs --context-file and --question; "
                    + "--prompt always runs full attention on one JVM");
        }
        int[] ids = Answerer.turn(m, prompt, new Answerer.Chat(chat, system), false, "--prompt");
        // the prompt is the whole context of a full-attention answer with no question
        try (Answerer full = answerOptions.full(m, settings, sampler)) {
            return result(m, ids.length, full.answer(ids, new int[0]));
        }
    }

    private Map<String, Object> answer(LlamaModel m, StarSettings settings, Sampler sampler) {
        if (contextFile == null || question == null) {
            throw new UserError("give --prompt, or --context-file together with --question");
        }
        String text = Texts.read(contextFile, HadoopConfs.of(new org.apache.spark.SparkConf()));
        if (text.isBlank()) {
            throw new UserError("context file " + contextFile + " is empty");
        }
        if (question.isEmpty()) {
            throw new UserError("--question is empty");
        }
        int[] context = DocumentTokens.encode(m.tokenizer(), text, "the context file " + contextFile);
        int[] q = Answerer.turn(m, question, new Answerer.Chat(chat, system), true, "--question");
        try (Answerer answerer = answerOptions.open(m, settings, sampler, "starspark generate")) {
            Map<String, Object> out = result(m, context.length + q.length, answerer.answer(context, q));
            out.put("context_tokens", context.length);
            return out;
        }
    }

    private static Map<String, Object> result(LlamaModel m, int promptTokens, Answerer.Answer a) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("prompt_tokens", promptTokens);
        result.put("ids", a.ids());
        result.put("text", m.tokenizer().decode(a.ids()));
        result.put("stats", a.stats());
        return result;
    }
}
