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
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Answers one question about one tokenized document with the job's attention mode: star or sparse
 * on Spark (the first question of a document prefills it, later ones reuse its committed K/V), or
 * full attention on this JVM (the single-JVM reference; recomputes the context per question).
 */
abstract class BatchAnswerer implements AutoCloseable {

    /** Generated ids and the row's stats. */
    record Answer(int[] ids, Map<String, Object> stats) {
    }

    /** @param reprefill delete each document's stored K/V before its first question */
    static BatchAnswerer open(LlamaModel model, StarSettings settings, int maxNewTokens, String master,
                              boolean reprefill, ExecutorWaitOptions executorWait) {
        return settings.attention() == AttentionMode.FULL
                ? new Full(model, settings, maxNewTokens)
                : new Star(model, settings, maxNewTokens, master, reprefill, executorWait);
    }

    /**
     * @param context  [n] BOS + SentencePiece(" " + document)
     * @param question [m] SentencePiece(question), no BOS, no added space
     */
    abstract Answer answer(int[] context, int[] question);

    /** The Hadoop configuration output is written with. */
    abstract Configuration hadoop();

    /** The master URL, or "local (no Spark)" for full attention. */
    abstract String master();

    @Override
    public abstract void close();

    static Map<String, Object> tokens(int[] context, int[] question, int[] ids) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("context_tokens", context.length);
        stats.put("question_tokens", question.length);
        stats.put("generated_tokens", ids.length);
        return stats;
    }

    /** Star or sparse: phase 1 on Spark, phase 2 on the driver. */
    static final class Star extends BatchAnswerer {
        private final LlamaModel model;
        private final StarSettings settings;
        private final int maxNewTokens;
        private final JavaSparkContext jsc;

        private final boolean reprefill;
        private final java.util.Set<String> forgotten = new java.util.HashSet<>();

        Star(LlamaModel model, StarSettings settings, int maxNewTokens, String master, boolean reprefill,
             ExecutorWaitOptions executorWait) {
            this.reprefill = reprefill;
            this.model = model;
            this.settings = settings;
            this.maxNewTokens = maxNewTokens;
            this.jsc = Spark.open("starspark run", master, settings);
            executorWait.await(jsc);
        }

        @Override
        Answer answer(int[] context, int[] question) {
            StarPlan plan = StarPlan.of(context.length, settings.blockSize(), settings.anchorSize(),
                    settings.pageSize());
            StarRequest request = new StarRequest(settings.requireModel(), context, question, maxNewTokens, plan,
                    settings.kvDir().toString(), settings.kvDtype(), settings.kernels(),
                    Spark.partitions(jsc, plan), -1, StarOptions.sparse(settings));
            if (reprefill && forgotten.add(StarRunner.docId(context))) {
                StarRunner.forget(jsc, request);
            }
            StarAnswer a = StarRunner.answer(jsc, request, Sampler.greedy());
            Map<String, Object> stats = tokens(context, question, a.ids());
            stats.putAll(Stats.of(a, settings, plan, jsc.master()));
            stats.put("page_visits", a.pageVisits());
            return new Answer(a.ids(), stats);
        }

        @Override
        Configuration hadoop() {
            return jsc.hadoopConfiguration();
        }

        @Override
        String master() {
            return jsc.master();
        }

        @Override
        public void close() {
            jsc.close();
        }
    }

    /** Full attention over context ++ question on this JVM. */
    static final class Full extends BatchAnswerer {
        private final Generator generator;
        private final String kernels;
        private final int maxNewTokens;
        private final Configuration hadoop = HadoopConfs.of(new org.apache.spark.SparkConf());

        Full(LlamaModel model, StarSettings settings, int maxNewTokens) {
            Kernels backend = KernelBackends.select(settings.kernels());
            this.generator = new Generator(model, backend);
            this.kernels = backend.name();
            this.maxNewTokens = maxNewTokens;
        }

        @Override
        Answer answer(int[] context, int[] question) {
            int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
            Generator.Result r = generator.generate(prompt, maxNewTokens, Sampler.greedy());
            Map<String, Object> stats = tokens(context, question, r.ids());
            stats.put("attention", "full");
            stats.put("kernels", kernels);
            stats.put("prefill_reused", false);
            stats.put("prefill_seconds", r.prefillNanos() / 1e9);
            stats.put("decode_seconds", r.decodeNanos() / 1e9);
            stats.put("decode_tokens_per_second", r.decodeTokensPerSecond());
            return new Answer(r.ids(), stats);
        }

        @Override
        Configuration hadoop() {
            return hadoop;
        }

        @Override
        String master() {
            return "none (full attention on the driver)";
        }

        @Override
        public void close() {
            // nothing held: the model is shared through ModelRegistry
        }
    }
}
