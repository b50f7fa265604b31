package io.starspark.driver.eval;

import io.starspark.model.LlamaConfig;

/**
 * The time a plan is expected to take, printed before it starts. A cost model in "work" units (one token's
 * matrix products, plus its attention over {@code keys} keys at the model's per-key cost), scaled by one
 * timed full-attention answer on this machine (the calibration), plus fixed per-job and per-answer overheads,
 * and a calibrated overhead per single-token decoding step (small models are bound by it, not by work).
 *
 * @param secondsPerWork calibrated seconds per work unit
 * @param secondsPerStep calibrated seconds of one decoding step beyond its work (0 when none was timed)
 * @param answerSeconds  seconds of a star or sparse answer beyond its work (finding the document's committed K/V,
 *                       opening its store): {@link #ANSWER_SECONDS}, or measured ({@link #withAnswerTimed})
 */
record Estimate(double seconds, double secondsPerWork, double keysPerTokenWork, double secondsPerStep,
                double answerSeconds) {

    /** Scheduling and K/V commit of one phase-1 Spark job, and opening the K/V store for one answer. */
    static final double PREFILL_JOB_SECONDS = 1.0;
    static final double ANSWER_SECONDS = 0.05;

    /** Keys whose attention costs as much as one token's matrix products, from the model's shapes. */
    static double keysPerTokenWork(LlamaConfig c) {
        double matmul = 2.0 * (c.layers() * (2.0 * c.dim() * c.heads() * c.headDim()
                + 2.0 * c.dim() * c.kvHeads() * c.headDim() + 3.0 * c.dim() * c.ffnDim()) + (double) c.dim() * c.vocabSize());
        double perKey = 4.0 * c.heads() * c.headDim() * c.layers();
        return matmul / perKey;
    }

    /** Work of {@code tokens} causal tokens after {@code before} keys: each attends to the keys before it. */
    static double work(double tokens, double before, double k) {
        return tokens * (1 + (before + tokens / 2) / k);
    }

    /**
     * Calibration: a full-attention answer over {@code tokens} prompt tokens that generated {@code generated}
     * tokens took {@code seconds}, {@code decodeSeconds} of them in the single-token steps after the first.
     */
    static Estimate calibrate(LlamaConfig c, int tokens, double seconds, int generated, double decodeSeconds) {
        double k = keysPerTokenWork(c);
        double perWork = (seconds - decodeSeconds) / work(tokens, 0, k);
        int steps = generated - 1;
        double perStep = steps < 1 ? 0 : Math.max(0, (decodeSeconds - perWork * work(steps, tokens, k)) / steps);
        return new Estimate(0, perWork, k, perStep, ANSWER_SECONDS);
    }

    /**
     * The answer overhead measured: a star answer of {@code tokens} question tokens over {@code keys} stored keys,
     * generating one token, took {@code answerWallSeconds} (at least {@link #ANSWER_SECONDS} counts).
     */
    Estimate withAnswerTimed(int tokens, int keys, double answerWallSeconds) {
        double overhead = answerWallSeconds - secondsPerWork * work(tokens, keys, keysPerTokenWork);
        return new Estimate(seconds, secondsPerWork, keysPerTokenWork, secondsPerStep,
                Math.max(ANSWER_SECONDS, overhead));
    }

    Estimate plus(double moreSeconds) {
        return new Estimate(seconds + moreSeconds, secondsPerWork, keysPerTokenWork, secondsPerStep, answerSeconds);
    }

    /** A full-attention answer: {@code tokens} of context ++ question recomputed, generating {@code generated}. */
    double full(int tokens, int generated) {
        return decode(tokens, generated) + secondsPerWork * work(tokens, 0, keysPerTokenWork);
    }

    /** Phase 1 of a document: every block with its anchor, {@code parallelism} tasks at once, plus the job's overhead. */
    double prefill(int tokens, int block, int anchor, int parallelism) {
        int blocks = (tokens + block - 1) / block;
        double w = work(Math.min(block, tokens), 0, keysPerTokenWork)
                + Math.max(0, blocks - 1) * work(block, anchor, keysPerTokenWork);
        return PREFILL_JOB_SECONDS + secondsPerWork * w / Math.max(1, Math.min(blocks, parallelism));
    }

    /**
     * A star or sparse answer: a pass of {@code tokens} question (or teacher-forced) tokens over {@code keys}
     * context keys read, generating {@code generated} tokens (the first from that pass).
     */
    double answer(int tokens, int keys, int generated) {
        return answerSeconds + secondsPerWork * work(tokens, keys, keysPerTokenWork) + decode(keys + tokens, generated);
    }

    /** The single-token steps after a pass that ended at {@code keys} keys and chose the first of {@code generated}. */
    private double decode(int keys, int generated) {
        int steps = Math.max(0, generated - 1);
        return steps * secondsPerStep + secondsPerWork * work(steps, keys, keysPerTokenWork);
    }
}
