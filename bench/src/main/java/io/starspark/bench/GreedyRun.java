package io.starspark.bench;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;

/**
 * One timed prefill of {@code ids} (positions 0..n-1, an empty cache of {@code kvDtype}) and {@code decode} greedy
 * single-token steps, through {@link Generator} as the CLI and the executors run it (no end-of-sequence stop).
 *
 * @param tokens the {@code decode + 1} greedy tokens: from the prefill's logits, then from each step's
 */
record GreedyRun(long prefillNanos, long decodeNanos, int prompt, int decode, int[] tokens) {
    static GreedyRun run(LlamaModel m, Kernels k, int[] ids, int decode, KvDtype kvDtype) {
        Generator.Result r = new Generator(m, k, kvDtype).generate(ids, 0, null, decode + 1, Sampler.greedy(), -1);
        return new GreedyRun(r.prefillNanos(), r.decodeNanos(), ids.length, decode, r.ids());
    }

    double prefillTokS() {
        return prompt / (prefillNanos / 1e9);
    }

    double decodeTokS() {
        return decode / (decodeNanos / 1e9);
    }
}
