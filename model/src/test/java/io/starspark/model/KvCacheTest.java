package io.starspark.model;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.ReferenceKernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KvCacheTest {
    @Test
    void growsAndSlicesRows() {
        KvCache c = new KvCache(2, 2, 3, 1); // row = 6 floats
        for (int t = 0; t < 10; t++) {
            float[] k = new float[6];
            float[] v = new float[6];
            Arrays.fill(k, t);
            Arrays.fill(v, -t);
            c.append(0, k, v, 1);
            c.append(1, k, v, 1);
        }
        assertEquals(10, c.length());
        KvCache s = c.slice(3, 7);
        assertEquals(4, s.length());
        assertArrayEquals(Arrays.copyOfRange(c.keys(1), 18, 42), Arrays.copyOf(s.keys(1), 24));
        assertArrayEquals(Arrays.copyOfRange(c.values(0), 18, 42), Arrays.copyOf(s.values(0), 24));
        assertEquals(3f, s.keys(0)[0]);
        assertThrows(IllegalArgumentException.class, () -> c.slice(5, 11));
    }

    @Test
    void aCacheMadeForItsLengthNeverReallocatesAndATooLargeOneIsRefused() {
        KvCache c = new KvCache(2, 2, 3, 10); // what Generator reserves: prompt + new tokens
        float[] backing = c.keys(1);
        assertEquals(60, backing.length);
        for (int t = 0; t < 10; t++) {
            c.append(0, new float[6], new float[6], 1);
            c.append(1, new float[] {t, t, t, t, t, t}, new float[6], 1);
        }
        assertSame(backing, c.keys(1));
        assertEquals(9f, c.keys(1)[59]);
        c.append(1, new float[6], new float[6], 1);
        assertEquals(2 * 60, c.keys(1).length);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new KvCache(1, 8, 128, 1 << 21));
        assertTrue(e.getMessage().contains("exceed one Java array"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(KvDtype.class)
    void randomAppendsAndSlicesMatchAPlainList(KvDtype dtype) {
        long seed = Long.getLong("starspark.test.seed", 20261201L);
        System.out.println("KvCacheTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int trial = 0; trial < 50; trial++) {
            int layers = 1 + r.nextInt(3);
            int kvHeads = 1 + r.nextInt(3);
            int headDim = 1 + r.nextInt(5);
            int row = kvHeads * headDim;
            KvCache c = new KvCache(layers, kvHeads, headDim, r.nextInt(3), dtype);
            assertEquals(dtype, c.dtype());
            float[][] expected = new float[layers][0]; // [layers][length][kvHeads][headDim]
            for (int step = 0; step < 8; step++) {
                int tokens = r.nextInt(40);
                for (int l = 0; l < layers; l++) {
                    float[] k = new float[tokens * row + r.nextInt(3) * row]; // scratch may be longer than needed
                    for (int i = 0; i < k.length; i++) {
                        k[i] = (float) r.nextGaussian();
                    }
                    c.append(l, k, negated(k), tokens);
                    float[] grown = Arrays.copyOf(expected[l], expected[l].length + tokens * row);
                    System.arraycopy(dtype.rounded(k), 0, grown, expected[l].length, tokens * row);
                    expected[l] = grown;
                }
            }
            int len = expected[0].length / row;
            assertEquals(len, c.length(), "seed " + seed);
            int from = r.nextInt(len + 1);
            int to = from + r.nextInt(len - from + 1);
            KvCache s = c.slice(from, to);
            assertEquals(to - from, s.length());
            assertEquals(dtype, s.dtype());
            for (int l = 0; l < layers; l++) {
                float[] want = Arrays.copyOfRange(expected[l], from * row, to * row);
                assertArrayEquals(want, Arrays.copyOf(s.keys(l), want.length), "seed " + seed);
                assertArrayEquals(negated(want), Arrays.copyOf(s.values(l), want.length), "seed " + seed);
                assertArrayEquals(expected[l], Arrays.copyOf(c.keys(l), expected[l].length), "seed " + seed);
            }
        }
    }

    @Test
    void sliceBoundsAreExactAndNamed() {
        KvCache c = new KvCache(1, 1, 2, 0); // starts with no room: the first append grows it from 0
        c.append(0, new float[] {1, 2, 3, 4, 5, 6}, new float[] {-1, -2, -3, -4, -5, -6}, 3);
        assertEquals(0, c.slice(0, 0).length());
        assertEquals(0, c.slice(3, 3).length());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, Arrays.copyOf(c.slice(0, 3).keys(0), 6));
        assertArrayEquals(new float[] {-5, -6}, Arrays.copyOf(c.slice(2, 3).values(0), 2));
        for (int[] bad : new int[][] {{-1, 2}, {2, 1}, {0, 4}}) {
            assertEquals("slice [" + bad[0] + ", " + bad[1] + ") out of range [0, 3]",
                assertThrows(IllegalArgumentException.class, () -> c.slice(bad[0], bad[1])).getMessage());
        }
    }

    @Test
    void lengthIsTheRowsEveryLayerHas() {
        KvCache c = new KvCache(3, 1, 1);
        assertEquals(0, c.length());
        c.append(0, new float[] {1, 2}, new float[] {1, 2}, 2);
        c.append(2, new float[] {7}, new float[] {7}, 1);
        assertEquals(0, c.length(), "layer 1 has no rows yet");
        c.append(1, new float[] {5, 6, 7}, new float[] {5, 6, 7}, 3);
        assertEquals(1, c.length());
        assertEquals(2, c.length(0));
        assertEquals(3, c.length(1));
        assertEquals(3, c.layers());
        assertEquals(1, c.kvHeads());
        assertEquals(1, c.headDim());
    }

    @Test
    void badShapesAreRefusedNamingTheValues() {
        for (int[] bad : new int[][] {{0, 1, 1, 0}, {1, 0, 1, 0}, {1, 1, 0, 0}, {1, 1, 1, -1}}) {
            assertEquals("layers, kvHeads, headDim must be positive, initialRows >= 0 and dtype given (got " + bad[0]
                    + ", " + bad[1] + ", " + bad[2] + ", " + bad[3] + ", F32)",
                assertThrows(IllegalArgumentException.class, () -> new KvCache(bad[0], bad[1], bad[2], bad[3])).getMessage());
        }
    }

    @Test
    void anF16CacheRoundsToHalvesAndAttendsOverThem() {
        KvCache c = new KvCache(1, 1, 16, 0, KvDtype.F16);
        float[] k = new float[32];
        float[] v = new float[32];
        for (int i = 0; i < 32; i++) {
            k[i] = 1f / (3 + i);
            v[i] = 1000.3f + i;
        }
        c.append(0, k, v, 2);
        float[] kr = KvDtype.F16.rounded(k);
        assertArrayEquals(kr, c.keys(0));
        assertArrayEquals(KvDtype.F16.rounded(v), c.values(0));
        assertNotEquals(k[0], c.keys(0)[0], "1/3 is not a half");
        AttentionShape shape = AttentionShape.causal(1, 2, 1, 1, 16);
        float[] q = Arrays.copyOf(k, 16);
        float[] out = new float[16];
        float[] lse = new float[1];
        float[] wantOut = new float[16];
        float[] wantLse = new float[1];
        ReferenceKernels ref = new ReferenceKernels();
        c.attend(ref, 0, shape, q, out, lse);
        ref.attention(shape, q, kr, KvDtype.F16.rounded(v), wantOut, wantLse);
        assertArrayEquals(wantOut, out);
        assertArrayEquals(wantLse, lse);
    }

    @Test
    void anF16CacheRefusesWhatAHalfCannotHoldAndKeepsItsRows() {
        KvCache c = new KvCache(2, 1, 2, 0, KvDtype.F16);
        c.append(1, new float[] {1, 2}, new float[] {3, 4}, 1);
        for (float bad : new float[] {65520f, -1e6f, Float.NaN, Float.POSITIVE_INFINITY}) {
            ArithmeticException e = assertThrows(ArithmeticException.class,
                () -> c.append(1, new float[] {0.5f, 0.25f}, new float[] {1, bad}, 1));
            assertEquals("a value of layer 1 is " + bad + ", outside the F16 K/V cache's range (±65504); hold K/V as"
                + " F32 for this model", e.getMessage());
            assertThrows(ArithmeticException.class, () -> c.append(1, new float[] {bad, 0}, new float[] {1, 2}, 1));
        }
        assertEquals(1, c.length(1), "nothing appended by a refused call");
        assertArrayEquals(new float[] {1, 2}, c.keys(1));
        c.append(1, new float[] {65504f, -65504f}, new float[] {0, 0}, 1);
        assertArrayEquals(new float[] {1, 2, 65504f, -65504f}, c.keys(1));
    }

    @Test
    void rowsJoinOnlyACacheOfTheSameShapeAndDtype() {
        KvCache f16 = new KvCache(1, 1, 2, 0, KvDtype.F16);
        f16.append(0, new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8}, 2);
        KvCache into = new KvCache(1, 1, 2, 0, KvDtype.F16);
        into.appendRows(f16, 1, 2);
        assertArrayEquals(new float[] {3, 4}, into.keys(0));
        assertArrayEquals(new float[] {7, 8}, into.values(0));
        assertEquals("rows of a F16 cache [1][1][2] cannot join a F32 cache [1][1][2]",
            assertThrows(IllegalArgumentException.class, () -> new KvCache(1, 1, 2).appendRows(f16, 0, 1)).getMessage());
        assertEquals("rows [1, 3) out of range [0, 2]",
            assertThrows(IllegalArgumentException.class, () -> into.appendRows(f16, 1, 3)).getMessage());
    }

    private static float[] negated(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }
}
