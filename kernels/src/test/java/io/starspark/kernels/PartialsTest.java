package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Property: attention over any split of the keys into disjoint parts, merged with
 * {@link Partials#mergeInto} in any order, equals one softmax over all keys (float64 reference).
 */
class PartialsTest {
    private final ReferenceKernels ref = new ReferenceKernels();

    @Test
    void randomSplitsMergeToOneSoftmax() {
        long seed = Long.getLong("starspark.test.seed", 20261202L);
        System.out.println("PartialsTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int trial = 0; trial < 300; trial++) {
            int tokens = 1 + rnd.nextInt(4);
            int kvHeads = 1 + rnd.nextInt(2);
            int heads = kvHeads * (1 + rnd.nextInt(3));
            int hd = 1 + rnd.nextInt(9);
            int keys = 1 + rnd.nextInt(40);
            int stride = kvHeads * hd;
            float[] q = random(rnd, tokens * heads * hd, 3);
            float[] k = random(rnd, keys * stride, 3);
            float[] v = random(rnd, keys * stride, 2);
            int rows = tokens * heads;
            float[] wantOut = new float[rows * hd];
            float[] wantLse = new float[rows];
            ref.attention(AttentionShape.full(tokens, keys, heads, kvHeads, hd), q, k, v, wantOut, wantLse);
            // random parts (some empty), merged in random order
            int parts = 1 + rnd.nextInt(5);
            int[] cut = new int[parts + 1];
            cut[parts] = keys;
            for (int p = 1; p < parts; p++) {
                cut[p] = rnd.nextInt(keys + 1);
            }
            Arrays.sort(cut);
            float[] out = new float[rows * hd];
            float[] lse = new float[rows];
            Arrays.fill(lse, Float.NEGATIVE_INFINITY);
            int start = rnd.nextInt(parts);
            for (int i = 0; i < parts; i++) {
                int p = (start + i) % parts;
                int n = cut[p + 1] - cut[p];
                float[] po = new float[rows * hd];
                float[] pl = new float[rows];
                AttentionShape s = AttentionShape.full(tokens, n, heads, kvHeads, hd);
                ref.attention(s, q, Arrays.copyOfRange(k, cut[p] * stride, cut[p + 1] * stride),
                        Arrays.copyOfRange(v, cut[p] * stride, cut[p + 1] * stride), po, pl);
                Partials.mergeInto(out, lse, po, pl, rows, hd);
            }
            for (int r = 0; r < rows; r++) {
                String at = "trial " + trial + " row " + r + " cuts " + Arrays.toString(cut) + " seed " + seed;
                assertEquals(wantLse[r], lse[r], 1e-5 * (1 + Math.abs(wantLse[r])), at + " lse");
                for (int d = 0; d < hd; d++) {
                    assertEquals(wantOut[r * hd + d], out[r * hd + d], 2e-5, at + " d=" + d);
                }
            }
        }
    }

    private static float[] random(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }
}
