package io.starspark.kernels.jvm;

import static io.starspark.kernels.jvm.Gaussians.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.starspark.kernels.AttentionShape;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Bit-for-bit repeatability of every attention path at head dim 64 (the 4×4 register tiles, query
 * tails, the few-rows decode path) and 16 (P·V with queries in lanes) while the JIT moves from the interpreter to C2, on 2 threads:
 * a retried Spark task must rewrite identical K/V. {@link VectorExpTest} covers head dim 8.
 */
class AttentionRepeatabilityTest {
    @Test
    void everyPathGivesTheSameBitsAcrossJitTiersAndThreads() {
        long seed = 7;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        AttentionShape prefill = AttentionShape.causal(70, 130, 8, 2, 64); // 140 rows: 2 query tiles + tail
        // one token: DecodeAttention, 3 key chunks (parallel on two threads)
        AttentionShape decode = AttentionShape.causal(1, 600, 8, 2, 64);
        float[] q = gaussian(r, 70 * 8 * 64);
        float[] k = gaussian(r, 600 * 2 * 64);
        float[] v = gaussian(r, 600 * 2 * 64);
        AttentionShape small = AttentionShape.causal(50, 130, 4, 2, 16); // 100 rows: lanes P·V, tile + tail
        float[][] first = null;
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (int i = 0; i < 400; i++) {
                JavaKernels kernels = i % 2 == 0 ? two : one;
                float[][] got = {new float[q.length], new float[70 * 8], new float[8 * 64], new float[8],
                    new float[50 * 4 * 16], new float[50 * 4]};
                kernels.attention(prefill, q, k, v, got[0], got[1]);
                kernels.attention(decode, q, k, v, got[2], got[3]);
                kernels.attention(small, q, k, v, got[4], got[5]);
                if (first == null) {
                    first = got;
                }
                for (int j = 0; j < got.length; j++) {
                    assertArrayEquals(first[j], got[j], "output " + j + " differs at call " + i);
                }
            }
        }
    }
}
