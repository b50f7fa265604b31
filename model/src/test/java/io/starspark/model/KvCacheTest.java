package io.starspark.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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
    void randomAppendsAndSlicesMatchAPlainList() {
        long seed = Long.getLong("starspark.test.seed", 20261201L);
        System.out.println("KvCacheTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        for (int trial = 0; trial < 50; trial++) {
            int layers = 1 + r.nextInt(3);
            int kvHeads = 1 + r.nextInt(3);
            int headDim = 1 + r.nextInt(5);
            int row = kvHeads * headDim;
            KvCache c = new KvCache(layers, kvHeads, headDim, r.nextInt(3));
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
                    System.arraycopy(k, 0, grown, expected[l].length, tokens * row);
                    expected[l] = grown;
                }
            }
            int len = expected[0].length / row;
            assertEquals(len, c.length(), "seed " + seed);
            int from = r.nextInt(len + 1);
            int to = from + r.nextInt(len - from + 1);
            KvCache s = c.slice(from, to);
            assertEquals(to - from, s.length());
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
            assertEquals("layers, kvHeads, headDim must be positive and initialRows >= 0 (got " + bad[0] + ", " + bad[1]
                    + ", " + bad[2] + ", " + bad[3] + ")",
                assertThrows(IllegalArgumentException.class, () -> new KvCache(bad[0], bad[1], bad[2], bad[3])).getMessage());
        }
    }

    private static float[] negated(float[] a) {
        float[] out = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = -a[i];
        }
        return out;
    }
}
