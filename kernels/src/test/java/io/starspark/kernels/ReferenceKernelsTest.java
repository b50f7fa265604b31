package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The reference judged by hand-computed cases and by {@link PlainMath}, a second, independently written
 * float64 computation of every kernel (masks by rule, softmax through the log-sum-exp, rope by complex
 * rotation, scorePages by the sign of q). Both sum in float64 and round once to float32, so they agree to
 * a few float32 ulps: the tolerance is {@code 4 ulp(expected) + 1e-12 · Σ|terms|} (the float64 rounding of
 * a cancelling sum). The fast backends are judged against the reference by {@link KernelsContract}.
 */
class ReferenceKernelsTest {
    private static final long SEED = Long.getLong("starspark.test.seed", 20261207L);
    private final ReferenceKernels ref = new ReferenceKernels();
    private final SplittableRandom rnd = new SplittableRandom(SEED);

    static {
        System.out.println("ReferenceKernelsTest seed=" + SEED + " (rerun: -Dstarspark.test.seed=" + SEED + ")");
    }

    private float[] random(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((rnd.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    private static void assertNear(double[] expect, double[] termScale, float[] actual, String what) {
        assertEquals(expect.length, actual.length, what + " length");
        for (int i = 0; i < expect.length; i++) {
            double tol = 4 * Math.ulp((float) expect[i]) + 1e-12 * termScale[i];
            if (!(Math.abs(expect[i] - actual[i]) <= tol)) {
                fail(what + " at " + i + ": expected " + expect[i] + " got " + actual[i] + " (tolerance " + tol
                        + ", seed " + SEED + ")");
            }
        }
    }

    // ---- hand-computed cases

    @Test
    void matmulByHand() {
        float[] out = new float[4];
        // W = [[1,2],[3,4]], x = [[1,1],[2,-1]]
        ref.matmul(out, new float[] {1, 1, 2, -1}, new F32Matrix(new float[] {1, 2, 3, 4}, 2, 2), 2);
        assertArrayEquals(new float[] {3, 7, 0, 2}, out);
    }

    @Test
    void attentionOfOneKeyIsItsValue() {
        float[] q = {0.3f, -1f, 2f, 0.5f};
        float[] k = {1f, 2f, -0.5f, 4f};
        float[] v = {7f, -3f, 0.25f, 9f};
        float[] out = new float[4];
        float[] lse = new float[1];
        ref.attention(AttentionShape.full(1, 1, 1, 1, 4), q, k, v, out, lse);
        assertArrayEquals(v, out);
        double dot = 0.3 * 1 + -1 * 2 + 2 * -0.5 + 0.5 * 4;
        assertEquals(dot / 2, lse[0], 1e-6); // score = dot / sqrt(4), lse of one key = its score
    }

    @Test
    void attentionOfEqualScoresIsTheMean() {
        float[] q = {0f, 0f};
        float[] k = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] v = {1f, 2f, 3f, 4f, 5f, 9f};
        float[] out = new float[2];
        float[] lse = new float[1];
        ref.attention(AttentionShape.full(1, 3, 1, 1, 2), q, k, v, out, lse);
        assertArrayEquals(new float[] {3f, 5f}, out, 1e-6f);
        assertEquals(Math.log(3), lse[0], 1e-6);
    }

    @Test
    void attentionOfTwoKeysByHand() {
        // scores 0 and ln 3 (q·k / sqrt 1): weights 1/4 and 3/4
        float[] out = new float[1];
        float[] lse = new float[1];
        ref.attention(AttentionShape.full(1, 2, 1, 1, 1), new float[] {1f}, new float[] {0f, (float) Math.log(3)},
                new float[] {8f, 4f}, out, lse);
        assertEquals(0.25 * 8 + 0.75 * 4, out[0], 1e-6);
        assertEquals(Math.log(4), lse[0], 1e-6);
    }

    @Test
    void ropeAtPositionZeroIsIdentity() {
        float[] x = random(2 * 3 * 8, 1);
        float[] y = x.clone();
        ref.rope(y, 2, 3, 8, new int[] {0, 0}, Rope.adjacent(8, 10000.0));
        assertArrayEquals(x, y);
    }

    @Test
    void ropeByHand() {
        // position 1, theta 100, dim 4: pair 0 turns by 1 rad, pair 1 by 100^(-1/2) = 0.1 rad
        float[] x = {1f, 0f, 0f, 2f};
        ref.rope(x, 1, 1, 4, new int[] {1}, Rope.adjacent(4, 100.0));
        assertArrayEquals(new float[] {(float) Math.cos(1), (float) Math.sin(1), (float) (-2 * Math.sin(0.1)),
            (float) (2 * Math.cos(0.1))}, x, 1e-6f);
    }

    @Test
    void ropeAtOneMillionMatchesTheFormula() {
        int pos = 1_000_000;
        float[] x = {1f, 0f, 0f, 1f, 0.5f, -2f, 3f, 4f};
        float[] y = x.clone();
        ref.rope(y, 1, 1, 8, new int[] {pos}, Rope.adjacent(8, 500000.0));
        for (int i = 0; i < 8; i += 2) {
            // angle = pos / theta^(i/d), written as exp(-i/d · ln theta)
            double angle = pos * Math.exp(-(i / 8.0) * Math.log(500000.0));
            double a = x[i];
            double b = x[i + 1];
            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), y[i], 1e-6);
            assertEquals(a * Math.sin(angle) + b * Math.cos(angle), y[i + 1], 1e-6);
        }
    }

    @Test
    void neoxRopeRotatesHalvesWithFrequencyFactors() {
        // head dim 8, rotary dim 6: pairs (0,3), (1,4), (2,5); dims 6, 7 untouched
        int pos = 123_457;
        float[] factors = {1f, 2.5f, 8f};
        Rope rope = new Rope(Rope.Style.NEOX, 6, 500000.0, factors);
        float[] x = {1f, -2f, 0.5f, 3f, 4f, -1f, 7f, 9f};
        float[] y = x.clone();
        ref.rope(y, 1, 1, 8, new int[] {pos}, rope);
        for (int i = 0; i < 3; i++) {
            double angle = pos * Math.exp(-(2 * i / 6.0) * Math.log(500000.0)) / factors[i];
            double a = x[i];
            double b = x[i + 3];
            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), y[i], 1e-6);
            assertEquals(a * Math.sin(angle) + b * Math.cos(angle), y[i + 3], 1e-6);
        }
        assertEquals(7f, y[6]);
        assertEquals(9f, y[7]);
    }

    @Test
    void ropeRejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Rope(Rope.Style.NEOX, 7, 10000.0, null));
        assertThrows(IllegalArgumentException.class, () -> new Rope(Rope.Style.NEOX, 8, 10000.0, new float[3]));
        assertThrows(IllegalArgumentException.class,
            () -> new Rope(Rope.Style.NEOX, 4, 10000.0, new float[] {1f, 0f}));
        assertThrows(IllegalArgumentException.class, () -> Rope.adjacent(16, 10000.0).requireFits(8));
    }

    @Test
    void smallByHand() {
        float[] out = new float[2];
        ref.rmsnorm(out, new float[] {3f, 4f}, new float[] {1f, 2f}, 1, 2, 0f);
        double rms = Math.sqrt(12.5);
        assertArrayEquals(new float[] {(float) (3 / rms), (float) (8 / rms)}, out, 1e-6f);
        float[] s = new float[2];
        ref.swiglu(s, new float[] {0f, 2f}, new float[] {5f, 3f}, 2);
        assertArrayEquals(new float[] {0f, (float) (2 / (1 + Math.exp(-2)) * 3)}, s, 1e-6f);
        float[] scores = new float[1];
        // q = [1, -2]; page min = [0, -1], max = [2, 3]: max(0,2) + max(2,-6) = 4
        ref.scorePages(new float[] {1f, -2f}, new float[] {0f, -1f}, new float[] {2f, 3f}, scores, 1, 1, 1, 1, 2);
        assertEquals(4f, scores[0]);
    }

    @Test
    void rmsnormEpsIsAddedToTheMeanSquare() {
        // mean square 1.25e-7 next to eps 1e-5: x / sqrt(1.0125e-5), far from x / sqrt(1.25e-7) or sqrt of a negative
        float[] out = new float[2];
        ref.rmsnorm(out, new float[] {3e-4f, 4e-4f}, new float[] {1f, -2f}, 1, 2, 1e-5f);
        double inv = 1 / Math.sqrt((9e-8 + 16e-8) / 2 + 1e-5);
        assertArrayEquals(new float[] {(float) (3e-4 * inv), (float) (-8e-4 * inv)}, out, 1e-6f);
    }

    @Test
    void shortArraysAreRefusedBeforeAnyWork() {
        Matrix w = new F32Matrix(new float[6 * 4], 6, 4); // [6][4]
        IllegalArgumentException x = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ref.matmul(new float[3 * 6], new float[3 * 4 - 1], w, 3));
        assertEquals("x has 11 elements, needs at least 12", x.getMessage());
        IllegalArgumentException out = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ref.matmul(new float[3 * 6 - 1], new float[3 * 4], w, 3));
        assertEquals("out has 17 elements, needs at least 18", out.getMessage());
        AttentionShape s = AttentionShape.full(2, 3, 2, 1, 4);
        IllegalArgumentException lse = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ref.attention(s, new float[16], new float[12], new float[12], new float[16], new float[3]));
        assertEquals("lse has 3 elements, needs at least 4", lse.getMessage());
    }

    // ---- random cases against the independent computation

    @Test
    void matmulOfEveryMatrixKind() {
        for (int[] s : new int[][] {{1, 5, 32}, {3, 17, 64}, {4, 9, 96}}) {
            int tokens = s[0];
            int rows = s[1];
            int cols = s[2];
            short[] half = new short[rows * cols];
            byte[] q = new byte[rows * cols];
            for (int i = 0; i < half.length; i++) {
                half[i] = Half.fromFloat((float) (rnd.nextDouble() * 2 - 1));
                q[i] = (byte) (rnd.nextInt(255) - 127);
            }
            Matrix[] matrices = {new F32Matrix(random(rows * cols, 1), rows, cols), new F16Matrix(half, rows, cols),
                new Q8Matrix(q, random(rows * cols / 32, 0.01), rows, cols)};
            for (Matrix w : matrices) {
                float[] x = random(tokens * cols, 1);
                float[] out = random(tokens * rows, 100); // garbage must be overwritten
                ref.matmul(out, x, w, tokens);
                double[][] plain = PlainMath.matmul(x, w, tokens);
                assertNear(plain[0], plain[1], out, "matmul " + w.getClass().getSimpleName() + " " + Arrays.toString(s));
            }
        }
    }

    @Test
    void rmsnormWithAndWithoutEps() {
        for (int[] s : new int[][] {{1, 8}, {3, 17}, {5, 64}}) {
            for (float eps : new float[] {0f, 1e-5f, 1e-2f}) {
                float[] x = random(s[0] * s[1], 0.05);
                float[] w = random(s[1], 2);
                float[] out = new float[x.length];
                ref.rmsnorm(out, x, w, s[0], s[1], eps);
                double[] plain = PlainMath.rmsnorm(x, w, s[0], s[1], eps);
                assertNear(plain, new double[plain.length], out, "rmsnorm " + Arrays.toString(s) + " eps " + eps);
                ref.rmsnorm(x, x, w, s[0], s[1], eps); // in place
                assertNear(plain, new double[plain.length], x, "rmsnorm in place " + Arrays.toString(s));
            }
        }
    }

    @Test
    void ropeOfBothStylesPartialDimsAndFactors() {
        // {tokens, heads, headDim, rotaryDim}
        for (int[] s : new int[][] {{1, 1, 8, 8}, {3, 2, 16, 16}, {5, 3, 12, 8}, {2, 2, 10, 4}}) {
            int[] pos = new int[s[0]];
            for (int t = 0; t < pos.length; t++) {
                pos[t] = t == 0 ? 1_000_000 : rnd.nextInt(1 << 16);
            }
            float[] factors = new float[s[3] / 2];
            for (int i = 0; i < factors.length; i++) {
                factors[i] = (float) (1 + rnd.nextDouble() * 7);
            }
            for (Rope.Style style : Rope.Style.values()) {
                for (float[] f : new float[][] {null, factors}) {
                    for (double theta : new double[] {10000.0, 500000.0}) {
                        float[] x = random(s[0] * s[1] * s[2], 2);
                        double[] plain = PlainMath.rope(x, s[0], s[1], s[2], pos, style == Rope.Style.NEOX, s[3], theta, f);
                        double[] scale = new double[x.length];
                        Arrays.fill(scale, 4); // |a| + |b| bounds each rotated element; angles of 1e6 rad carry ~1e-10 error
                        ref.rope(x, s[0], s[1], s[2], pos, new Rope(style, s[3], theta, f));
                        assertNear(plain, scale, x, "rope " + style + " " + Arrays.toString(s) + " theta " + theta
                                + (f == null ? "" : " with factors"));
                    }
                }
            }
        }
    }

    @Test
    void swigluAcrossTheSigmoid() {
        float[] gate = random(40, 12);
        gate[0] = -90f;
        gate[1] = 90f;
        gate[2] = 0f;
        float[] up = random(40, 3);
        float[] out = new float[40];
        ref.swiglu(out, gate, up, 40);
        double[] plain = PlainMath.swiglu(gate, up);
        assertNear(plain, new double[plain.length], out, "swiglu");
    }

    @Test
    void attentionOfEveryMask() {
        // {tokens, keys, heads, kvHeads, headDim, causalOffset}
        int[][] shapes = {{1, 1, 1, 1, 8, 0}, {4, 9, 4, 2, 8, 5}, {5, 5, 4, 1, 12, 0}, {6, 6, 2, 2, 4, -2},
            {3, 10, 2, 1, 8, -50}, {4, 0, 2, 1, 8, 0}, {3, 7, 3, 3, 5, 6}, {6, 40, 2, 1, 16, 34}};
        for (int[] s : shapes) {
            AttentionShape shape = new AttentionShape(s[0], s[1], s[2], s[3], s[4], s[5]);
            float[] q = random(s[0] * s[2] * s[4], 6);
            float[] k = random(s[1] * s[3] * s[4], 6);
            float[] v = random(s[1] * s[3] * s[4], 2);
            float[] out = random(q.length, 50);
            float[] lse = random(s[0] * s[2], 50);
            ref.attention(shape, q, k, v, out, lse);
            double[][] plain = PlainMath.attention(q, k, v, s[0], s[1], s[2], s[3], s[4], s[5]);
            double[] vScale = new double[out.length];
            Arrays.fill(vScale, 2);
            double[] lseScale = new double[lse.length];
            Arrays.fill(lseScale, 1);
            assertNear(plain[0], vScale, out, "attention out " + shape);
            for (int i = 0; i < lse.length; i++) {
                if (plain[1][i] == Double.NEGATIVE_INFINITY) {
                    assertEquals(Float.NEGATIVE_INFINITY, lse[i], "lse of a query that sees no key, " + shape);
                    plain[1][i] = lse[i] = 0;
                }
            }
            assertNear(plain[1], lseScale, lse, "attention lse " + shape);
        }
    }

    @Test
    void scorePagesBySignOfQ() {
        // {tokens, pages, heads, kvHeads, headDim}
        for (int[] s : new int[][] {{1, 1, 1, 1, 8}, {3, 7, 4, 2, 16}, {2, 5, 8, 2, 12}, {1, 9, 4, 1, 17}}) {
            float[] q = random(s[0] * s[2] * s[4], 2);
            float[] center = random(s[1] * s[3] * s[4], 1);
            float[] min = new float[center.length]; // boxes [center - w, center + w], w in [0, 0.5)
            float[] max = new float[center.length];
            for (int i = 0; i < center.length; i++) {
                float w = (float) (rnd.nextDouble() * 0.5);
                min[i] = center[i] - w;
                max[i] = center[i] + w;
            }
            float[] out = random(s[0] * s[1] * s[2], 9);
            ref.scorePages(q, min, max, out, s[0], s[1], s[2], s[3], s[4]);
            double[] plain = PlainMath.scorePages(q, min, max, s[0], s[1], s[2], s[3], s[4]);
            double[] scale = new double[plain.length];
            Arrays.fill(scale, 2.0 * s[4]);
            assertNear(plain, scale, out, "scorePages " + Arrays.toString(s));
        }
    }
}
