package io.starspark.kernels.jvm;

import static io.starspark.kernels.jvm.Gaussians.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Half;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Grouped-query decode attention reads each K/V head slice once for {@link DecodeAttention#GROUP} query heads
 * ({@code scoresGroup}, {@code pvGroup}) and reads the next block ahead. Each head must keep the bits it gets when it
 * has a K/V head of its own: the same call on K/V with every head's slice copied out (group size 1, where nothing
 * is grouped) gives identical outputs and log-sum-exps, for float K/V and for halves. Group sizes 4 (all grouped),
 * 7 (four grouped, three not) and 2 (none); 600 keys: three chunks and a short last block of 8 keys.
 */
class DecodeAttentionGroupTest {
    @Test
    void groupedHeadsGiveTheBitsOfOneKvHeadPerQueryHead() {
        long seed = 11;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int keys = 600;
        int hd = 64;
        int[][] shapes = {{8, 2}, {14, 2}, {8, 4}, {32, 8}};
        try (JavaKernels kernels = new JavaKernels(2)) {
            for (int[] sh : shapes) {
                int heads = sh[0];
                int kvHeads = sh[1];
                int gs = heads / kvHeads;
                float[] q = gaussian(r, heads * hd);
                float[] k = gaussian(r, keys * kvHeads * hd);
                float[] v = gaussian(r, keys * kvHeads * hd);
                float[] kOwn = new float[keys * heads * hd];
                float[] vOwn = new float[keys * heads * hd];
                for (int j = 0; j < keys; j++) {
                    for (int h = 0; h < heads; h++) {
                        System.arraycopy(k, (j * kvHeads + h / gs) * hd, kOwn, (j * heads + h) * hd, hd);
                        System.arraycopy(v, (j * kvHeads + h / gs) * hd, vOwn, (j * heads + h) * hd, hd);
                    }
                }
                float[] out = new float[heads * hd];
                float[] lse = new float[heads];
                float[] outOwn = new float[heads * hd];
                float[] lseOwn = new float[heads];
                kernels.attention(AttentionShape.causal(1, keys, heads, kvHeads, hd), q, k, v, out, lse);
                kernels.attention(AttentionShape.causal(1, keys, heads, heads, hd), q, kOwn, vOwn, outOwn, lseOwn);
                String what = heads + " heads on " + kvHeads + " K/V heads";
                assertArrayEquals(outOwn, out, what + ": outputs");
                assertArrayEquals(lseOwn, lse, what + ": log-sum-exps");
                assertTrue(Float.isFinite(lse[0]) && out[0] != 0f, what + ": a real result");
                // the same K/V as halves (scoresHalfGroup, pvHalfGroup)
                kernels.attention(AttentionShape.causal(1, keys, heads, kvHeads, hd), q, halves(k), halves(v), out, lse);
                kernels.attention(AttentionShape.causal(1, keys, heads, heads, hd), q, halves(kOwn), halves(vOwn),
                        outOwn, lseOwn);
                assertArrayEquals(outOwn, out, what + ", halves: outputs");
                assertArrayEquals(lseOwn, lse, what + ", halves: log-sum-exps");
            }
        }
    }

    @Test
    void readAheadReadsOneFloatPerLine() {
        float[] a = gaussian(new Random(5), 200);
        int x = 0;
        for (int i = 35; i < 163; i += 16) {
            x ^= Float.floatToRawIntBits(a[i]);
        }
        assertTrue(x != 0);
        assertEquals(x, DecodeAttention.readAhead(a, 35, 163));
        assertEquals(0, DecodeAttention.readAhead(a, 35, 35));
        short[] h = halves(a);
        int y = 0;
        for (int i = 35; i < 163; i += 32) {
            y ^= h[i];
        }
        assertTrue(y != 0);
        assertEquals(y, DecodeAttention.readAhead(h, 35, 163));
    }

    private static short[] halves(float[] a) {
        short[] h = new short[a.length];
        Half.toHalves(a, 0, h, 0, a.length);
        return h;
    }
}
