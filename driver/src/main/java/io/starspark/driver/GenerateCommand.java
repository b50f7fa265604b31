package io.starspark.driver;

import io.starspark.workers.HadoopConfs;
import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRequest;
import io.starspark.driver.star.StarRunner;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
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
    static final int MAX_NEW_TOKENS = 4096;

    @Spec
    CommandSpec spec;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model file (or set spark.starspark.model)")
    String model;

    @Option(names = "--prompt", description = "prompt text, tokenized as BOS + SentencePiece(\" \" + text)")
    String prompt;

    @Option(names = "--context-file", paramLabel = "FILE", description = "long context (local path or Hadoop URI)")
    String contextFile;

    @Option(names = "--question", description = "question about the context, tokenized with no BOS and no added space")
    String question;

    @Option(names = "--max-new-tokens", defaultValue = "64", description = "1.." + MAX_NEW_TOKENS + " (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", description = "sample with this temperature (default: greedy)")
    Float temperature;

    @Option(names = "--top-p", defaultValue = "0.9", description = "nucleus mass when sampling (default ${DEFAULT-VALUE})")
    float topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--master", description = "Spark master for star/sparse (default: spark-submit's, else local[2])")
    String master;

    @Mixin
    StarOptions starOptions;

    @Mixin
    ExecutorWaitOptions executorWait;

    @Mixin
    SettingsOptions settingsOptions;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        requireMaxNewTokens(maxNewTokens);
        StarSettings settings = settings();
        LlamaModel m = Models.load(model != null ? model : settings.model());
        Sampler sampler = temperature == null ? Sampler.greedy() : Sampler.topP(temperature, topP, seed);
        Map<String, Object> result;
        if (prompt != null) {
            result = generateFromPrompt(m, settings, sampler);
        } else {
            result = answer(m, settings, sampler);
        }
        output.print(spec.commandLine().getOut(), result);
        return ErrorContract.EXIT_OK;
    }

    private StarSettings settings() {
        return starOptions.settings(settingsOptions, model);
    }

    private Map<String, Object> generateFromPrompt(LlamaModel m, StarSettings settings, Sampler sampler) {
        if (contextFile != null || question != null) {
            throw new UserError("give either --prompt, or --context-file with --question, not both");
        }
        if (prompt.isBlank()) {
            throw new UserError("--prompt is empty");
        }
        if (starOptions.attentionGiven() && settings.attention() != AttentionMode.FULL) {
            throw new UserError("--attention " + starOptions.attention + " needs --context-file and --question; "
                    + "--prompt always runs full attention on one JVM");
        }
        int[] ids = m.tokenizer().encode(prompt, true, true);
        return fullAttention(m, settings, ids, sampler);
    }

    private Map<String, Object> fullAttention(LlamaModel m, StarSettings settings, int[] promptIds, Sampler sampler) {
        Kernels kernels = KernelBackends.select(settings.kernels());
        Generator.Result r = new Generator(m, kernels).generate(promptIds, maxNewTokens, sampler);
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("attention", "full");
        stats.put("kernels", kernels.name());
        stats.put("prefill_seconds", r.prefillNanos() / 1e9);
        stats.put("prefill_tokens_per_second", r.prefillTokensPerSecond());
        stats.put("decode_seconds", r.decodeNanos() / 1e9);
        stats.put("decode_tokens_per_second", r.decodeTokensPerSecond());
        return result(m, promptIds.length, r.ids(), stats);
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
        int[] context = m.tokenizer().encode(text, true, true);
        int[] q = m.tokenizer().encode(question, false, false);
        if (settings.attention() == AttentionMode.FULL) {
            int[] promptIds = IntStream.concat(IntStream.of(context), IntStream.of(q)).toArray();
            Map<String, Object> out = fullAttention(m, settings, promptIds, sampler);
            out.put("context_tokens", context.length);
            return out;
        }
        StarPlan plan = StarPlan.of(context.length, settings.blockSize(), settings.anchorSize(), settings.pageSize());
        SparseSettings sparse = StarOptions.sparse(settings);
        try (JavaSparkContext jsc = Spark.open("starspark generate", master, settings)) {
            executorWait.await(jsc);
            StarRequest request = new StarRequest(settings.requireModel(), context, q, maxNewTokens, plan,
                    settings.kvDir().toString(), settings.kvDtype(), settings.kernels(), Spark.partitions(jsc, plan), -1,
                    sparse);
            if (starOptions.reprefill) {
                StarRunner.forget(jsc, request);
            }
            StarAnswer a = StarRunner.answer(jsc, request, sampler);
            Map<String, Object> out = result(m, context.length + q.length, a.ids(),
                    Stats.of(a, settings, plan, jsc.master()));
            out.put("context_tokens", context.length);
            return out;
        }
    }

    /** The one range check of {@code --max-new-tokens}, for generate and run. */
    static void requireMaxNewTokens(int maxNewTokens) {
        if (maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS) {
            throw new UserError("--max-new-tokens must be between 1 and " + MAX_NEW_TOKENS + " (got " + maxNewTokens + ")");
        }
    }

    private static Map<String, Object> result(LlamaModel m, int promptTokens, int[] ids, Map<String, Object> stats) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("prompt_tokens", promptTokens);
        result.put("ids", ids);
        result.put("text", m.tokenizer().decode(ids));
        result.put("stats", stats);
        return result;
    }
}
