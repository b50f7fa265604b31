package io.starspark.driver.eval;

import io.starspark.driver.Answerer;
import io.starspark.driver.star.StarRunner;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.HashSet;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Eval's access to the one answer path ({@link Answerer}): every mode answers through an answerer of its
 * settings over one Spark context, greedy. The first star or sparse question of a document prefills it;
 * every later mode and budget on it reuses the committed K/V (same block, anchor and page settings).
 */
final class Answers {
    private final JavaSparkContext jsc; // null when no mode needs Spark
    private final LlamaModel model;
    private final StarSettings base;
    private final Mode.Blocks blocks;
    private final boolean reprefill;
    private final Set<String> forgotten = new HashSet<>();

    Answers(JavaSparkContext jsc, LlamaModel model, StarSettings base, Mode.Blocks blocks, boolean reprefill) {
        this.jsc = jsc;
        this.model = model;
        this.base = base;
        this.blocks = blocks;
        this.reprefill = reprefill;
    }

    /** The settings {@code mode} answers a document of {@code contextTokens} with. */
    StarSettings settings(Mode mode, int contextTokens) {
        return mode.settings(base, blocks, contextTokens);
    }

    /**
     * @param context  [n] BOS + SentencePiece(" " + document)
     * @param question [m] no BOS, no added space
     */
    Answerer.Answer answer(Mode mode, int[] context, int[] question, int maxNewTokens) {
        try (Answerer answerer = answerer(mode, context, maxNewTokens)) {
            return answerer.answer(context, question);
        }
    }

    /**
     * Teacher forcing in one pass ({@link Answerer#score}).
     *
     * @param prompt [m] question ++ teacher tokens
     * @return [scored][vocab] the logits after each of the last {@code scored} tokens of {@code prompt}
     */
    float[] score(Mode mode, int[] context, int[] prompt, int scored) {
        try (Answerer answerer = answerer(mode, context, 1)) {
            return answerer.score(context, prompt, scored);
        }
    }

    private Answerer answerer(Mode mode, int[] context, int maxNewTokens) {
        StarSettings settings = settings(mode, context.length);
        boolean forget = reprefill && settings.attention() != AttentionMode.FULL
                && forgotten.add(StarRunner.docId(context));
        return Answerer.over(jsc, model, settings, maxNewTokens, Sampler.greedy(), forget);
    }

    /** Phase-1 tasks that run at once (1 without Spark). */
    int parallelism() {
        return jsc == null ? 1 : jsc.defaultParallelism();
    }

    LlamaModel model() {
        return model;
    }

    StarSettings base() {
        return base;
    }

    Mode.Blocks blocks() {
        return blocks;
    }
}
