package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Q8Matrix;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The decode GEMV's F16 widening ({@link Gemv#halfBits}) and its Inf/NaN fallback against the plain twin, and the
 * Q8_0 row's documented summation order against a scalar twin of it.
 */
class GemvTest {
    /**
     * For every finite half, {@code halfBits · 2^112} has {@link Half#toFloat}'s bits (signed zeros and subnormals
     * included) and is not flagged; every Inf and NaN is flagged.
     */
    @Test
    void halfBitsRebiasedAreToFloatForEveryFiniteHalfAndFlagEveryInfAndNaN() {
        short[] all = new short[65536];
        for (int h = 0; h < all.length; h++) {
            all[h] = (short) h;
        }
        int[] bits = new int[16];
        int flagged = 0;
        for (int at = 0; at < all.length; at += 16) {
            Gemv.halfBits(all, at).intoArray(bits, 0);
            for (int i = 0; i < 16; i++) {
                int h = at + i;
                boolean special = (h & 0x7c00) == 0x7c00;
                boolean flag = bits[i] << 1 >= Gemv.HALF_SPECIAL;
                assertEquals(special, flag, "flag of half bits 0x" + Integer.toHexString(h));
                if (flag) {
                    flagged++;
                    continue;
                }
                assertEquals(Float.floatToRawIntBits(Half.toFloat(all[h])),
                        Float.floatToRawIntBits(Float.intBitsToFloat(bits[i]) * Gemv.HALF_REBIAS),
                        "half bits 0x" + Integer.toHexString(h));
            }
        }
        assertEquals(2 * 1024, flagged);
    }

    /**
     * F16 rows holding Inf (+ and −, mantissa 0: the flag's boundary) and NaN, in a four-row group and in the single
     * rows after the groups, give the bits of the rows decoded by loadRow and dotted (Inf, NaN where the twin has
     * them), on 1 and 2 threads, T = 1..3.
     */
    @Test
    void f16RowsWithInfAndNaNEqualLoadRowDotted() {
        long seed = 21;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 1030;
        int cols = 512;
        short[] h = new short[rows * cols];
        for (int i = 0; i < h.length; i++) {
            h[i] = Half.fromFloat((float) r.nextGaussian());
        }
        h[5 * cols + 7] = (short) 0x7c00; // +Inf
        h[10 * cols + 300] = (short) 0xfc00; // -Inf
        h[17 * cols + 511] = (short) 0xfe00; // NaN
        h[20 * cols] = (short) 0x7bff; // 65504, the largest finite: not special
        h[1029 * cols + 40] = (short) 0x7c00; // +Inf in the last, single row
        h[1028 * cols + 41] = (short) 0x7c01; // NaN in the single row before it
        F16Matrix m = new F16Matrix(h, rows, cols);
        float[] x = new float[3 * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] row = new float[cols];
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (int tokens = 1; tokens <= 3; tokens++) {
                float[] expect = new float[tokens * rows];
                for (int i = 0; i < rows; i++) {
                    m.loadRow(i, row, 0);
                    for (int t = 0; t < tokens; t++) {
                        expect[t * rows + i] = JavaMatmul.dot(x, t * cols, row, 0, cols);
                    }
                }
                assertTrue(Float.isInfinite(expect[5]) || Float.isNaN(expect[5]), "row 5 is not finite");
                assertTrue(Float.isNaN(expect[17]), "row 17 is NaN");
                for (JavaKernels k : new JavaKernels[] {one, two}) {
                    float[] got = new float[tokens * rows];
                    k.matmul(got, x, m, tokens);
                    assertArrayEquals(expect, got, "T=" + tokens);
                }
            }
        }
    }
    /**
     * Q8_0 rows (1 to 9 blocks: the tail alone, four-block steps alone, both) give, on 1 and 2 threads, T = 1..3, the
     * bits of {@link #q8Twin}: the order {@code Gemv.q8Span} documents, written out in scalars.
     */
    @Test
    void q8RowsSumInTheirDocumentedOrder() {
        long seed = 23;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (int blocks = 1; blocks <= 9; blocks++) {
                // 2000 rows of 9 blocks, T = 1: over Parallel.MIN_PARALLEL_FLOPS, split over 2 threads
                assertFalse(checkQ8Rows(r, 2000, blocks * Q8Matrix.BLOCK, one, two).tiled());
            }
        }
    }

    /**
     * Tiled Q8_0 matrices (rows wider than {@link Q8Matrix#TILE_COLS}: chunk by chunk, accumulators carried) give the
     * bits of {@link #q8Twin} on the row-major input, on 1 and 2 threads (ranges that start inside a row group),
     * T = 1..3: 2208 columns (a whole chunk, then 5 blocks: the tail), 4160 (three chunks), 4096 (two whole chunks,
     * nothing after), rows in whole and partial groups of 64.
     */
    @Test
    void tiledQ8RowsSumInTheOrderOfOnePiece() {
        long seed = 29;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (int[] shape : new int[][] {{300, 2208}, {70, 4160}, {130, 4096}}) {
                assertTrue(checkQ8Rows(r, shape[0], shape[1], one, two).tiled());
            }
        }
    }

    /** A random Q8_0 matrix rows × cols: every backend's T = 1..3 matmul has {@link #q8Twin}'s bits; returns it. */
    private static Q8Matrix checkQ8Rows(Random r, int rows, int cols, JavaKernels... backends) {
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[rows * cols / Q8Matrix.BLOCK];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (float) (r.nextGaussian() * 0.01);
        }
        Q8Matrix m = new Q8Matrix(q, scales, rows, cols);
        float[] x = new float[3 * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        for (int tokens = 1; tokens <= 3; tokens++) {
            float[] expect = new float[tokens * rows];
            for (int t = 0; t < tokens; t++) {
                for (int row = 0; row < rows; row++) {
                    expect[t * rows + row] = q8Twin(x, t * cols, q, scales, row, cols);
                }
            }
            for (JavaKernels k : backends) {
                float[] got = new float[tokens * rows];
                k.matmul(got, x, m, tokens);
                assertArrayEquals(expect, got, rows + "x" + cols + ", T=" + tokens + ", " + k.threads() + " threads");
            }
        }
        return m;
    }

    /**
     * One Q8_0 row in q8Span's order (a tiled row's spans in a row), 16 lanes: per block {@code s = fma(x1, q1, x0 · q0)} lane by lane, then
     * {@code a[b mod 4] = fma(s, d, a[b mod 4])} while four blocks remain, the rest into a[0]; the lanes of
     * {@code (a0 + a1) + (a2 + a3)} summed from lane 0 up.
     */
    private static float q8Twin(float[] x, int xOff, byte[] q, float[] scales, int row, int cols) {
        int blocks = cols / Q8Matrix.BLOCK;
        float[][] a = new float[4][16];
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            for (int k = 0; k < 4; k++) {
                q8TwinBlock(x, xOff, q, scales, row, cols, b + k, a[k]);
            }
        }
        for (; b < blocks; b++) {
            q8TwinBlock(x, xOff, q, scales, row, cols, b, a[0]);
        }
        float sum = 0f;
        for (int l = 0; l < 16; l++) {
            sum += (a[0][l] + a[1][l]) + (a[2][l] + a[3][l]);
        }
        return sum;
    }

    private static void q8TwinBlock(float[] x, int xOff, byte[] q, float[] scales, int row, int cols, int b, float[] acc) {
        int c = b * Q8Matrix.BLOCK;
        int qc = row * cols + c;
        float d = scales[row * (cols / Q8Matrix.BLOCK) + b];
        for (int l = 0; l < 16; l++) {
            float s = x[xOff + c + l] * q[qc + l];
            s = Math.fma(x[xOff + c + 16 + l], (float) q[qc + 16 + l], s);
            acc[l] = Math.fma(s, d, acc[l]);
        }
    }
}
