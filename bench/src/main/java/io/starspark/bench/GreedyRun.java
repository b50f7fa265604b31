package io.starspark.bench;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.util.Arrays;

/**
 * One timed prefill of {@code ids} (positions 0..n-1, an empty cache of {@code kvDtype}) and {@code decode} greedy single-token steps.
 *
 * @param tokens the {@code decode + 1} greedy tokens: from the prefill's logits, then from each step's
 */
record GreedyRun(long prefillNanos, long decodeNanos, int prompt, int decode, int[] tokens) {
    static GreedyRun run(LlamaModel m, Kernels k, int[] ids, int decode, KvDtype kvDtype) {
        Forward f = new Forward(m, k);
        KvCache cache = KvCache.forModel(m.config(), kvDtype);
        int[] pos = new int[ids.length];
        Arrays.setAll(pos, i -> i);
        long t0 = System.nanoTime();
        float[] logits = f.forward(ids, pos, cache, null, Logits.LAST);
        long t1 = System.nanoTime();
        int[] out = new int[decode + 1];
        out[0] = Sampler.argmax(logits);
        for (int i = 0; i < decode; i++) {
            logits = f.forward(new int[]{out[i]}, new int[]{ids.length + i}, cache, null, Logits.LAST);
            out[i + 1] = Sampler.argmax(logits);
        }
        return new GreedyRun(t1 - t0, System.nanoTime() - t1, ids.length, decode, out);
    }

    double prefillTokS() {
        return prompt / (prefillNanos / 1e9);
    }

    double decodeTokS() {
        return decode / (decodeNanos / 1e9);
    }
}
