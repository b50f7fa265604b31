package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bit-for-bit repeatability of the matmul paths on block-quantized weights (GEMV at T=1, blocked
 * GEMM at T=40) while the JIT moves from the interpreter to C2, alternating 1 and 2 threads: a
 * retried Spark task must rewrite identical K/V.
 */
class MatmulRepeatabilityTest {
    @ParameterizedTest
    @EnumSource(BlockType.class)
    void sameBitsAcrossJitTiersAndThreads(BlockType type) {
        long seed = 11;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 70;
        int cols = 512;
        float[] w = gaussian(r, rows * cols, 1);
        repeatable(BlockMatrix.quantize(type, w, rows, cols), r, type.toString());
    }

    /** Q8_0 too (its own record type); {@link #gemvEqualsDecodedRowsDottedForEveryTypeThreadCountAndJitTier} checks its GEMV bits. */
    @Test
    void q8SameBitsAcrossJitTiersAndThreads() {
        long seed = 12;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        repeatable(q8(r, 70, 512), r, "Q8_0");
    }

    /** Random int8 quants in [-127, 127], gaussian scales of sd 0.01. */
    private static Q8Matrix q8(Random r, int rows, int cols) {
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        return new Q8Matrix(q, gaussian(r, rows * cols / Q8Matrix.BLOCK, 0.01), rows, cols);
    }

    /**
     * The decode path ({@link Gemv}, T ≤ 3) on every weight kind gives, per row and token, the bits of the row decoded by
     * {@link Matrix#loadRow} and dotted by {@code JavaMatmul.dot}, its plain twin (Q8_0 and the block types, which fold their
     * scales into the sums: the same bits on every call, close to the twin). 1030 rows (F16: pairs plus a
     * tail; split over 2 threads, the work being above {@code Parallel.MIN_PARALLEL_FLOPS}) × 512 columns, on 1 and 2
     * threads alternately while the JIT compiles.
     */
    @Test
    void gemvEqualsDecodedRowsDottedForEveryTypeThreadCountAndJitTier() {
        long seed = 13;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 1030;
        int cols = 512;
        float[] values = gaussian(r, rows * cols, 1);
        List<Matrix> kinds = new ArrayList<>();
        kinds.add(new F32Matrix(values, rows, cols));
        short[] halves = new short[rows * cols];
        for (int i = 0; i < halves.length; i++) {
            halves[i] = Half.fromFloat(values[i]);
        }
        kinds.add(new F16Matrix(halves, rows, cols));
        kinds.add(q8(r, rows, cols));
        for (BlockType type : BlockType.values()) {
            kinds.add(BlockMatrix.quantize(type, values, rows, cols));
        }
        float[] x = gaussian(r, 3 * cols, 1);
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (Matrix m : kinds) {
                String kind = m instanceof BlockMatrix b ? b.type().toString() : m.getClass().getSimpleName();
                float[] row = new float[cols];
                for (int tokens = 1; tokens <= 3; tokens++) {
                    float[] expect = new float[tokens * rows];
                    for (int i = 0; i < rows; i++) {
                        m.loadRow(i, row, 0);
                        for (int t = 0; t < tokens; t++) {
                            expect[t * rows + i] = JavaMatmul.dot(x, t * cols, row, 0, cols);
                        }
                    }
                    boolean scaledSums = m instanceof BlockMatrix || m instanceof Q8Matrix;
                    float[] first = null;
                    for (int call = 0; call < 40; call++) {
                        float[] got = new float[tokens * rows];
                        (call % 2 == 0 ? two : one).matmul(got, x, m, tokens);
                        if (!scaledSums) {
                            assertArrayEquals(expect, got, kind + " T=" + tokens + " differs from loadRow + dot at call " + call);
                            continue;
                        }
                        if (first == null) {
                            first = got;
                            assertClose(expect, first, x, m, kind + " T=" + tokens);
                        }
                        assertArrayEquals(first, got, kind + " T=" + tokens + " differs from its first call at call " + call);
                    }
                }
            }
        }
    }

    /**
     * The block types fold the (sub-)block scales into the sums (another float order than loadRow + dot): within
     * 1e-5 · Σ|x·w| (the contract allows 1e-4) of the decoded row dotted in double.
     */
    private static void assertClose(float[] dotted, float[] got, float[] x, Matrix m, String what) {
        int cols = m.cols();
        int rows = m.rows();
        float[] row = new float[cols];
        for (int i = 0; i < dotted.length; i++) {
            int t = i / rows;
            m.loadRow(i % rows, row, 0);
            double exact = 0;
            double mag = 0;
            for (int c = 0; c < cols; c++) {
                exact += (double) x[t * cols + c] * row[c];
                mag += Math.abs((double) x[t * cols + c] * row[c]);
            }
            assertTrue(Math.abs(got[i] - exact) <= 1e-5 * mag, what + " at " + i + ": " + got[i] + " vs " + exact);
        }
    }

    private static void repeatable(Matrix m, Random r, String type) {
        int rows = m.rows();
        int cols = m.cols();
        float[] x = gaussian(r, 40 * cols, 1);
        float[][] first = null;
        try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
            for (int i = 0; i < 150; i++) {
                JavaKernels kernels = i % 2 == 0 ? two : one;
                float[][] got = {new float[rows], new float[40 * rows]};
                kernels.matmul(got[0], x, m, 1);
                kernels.matmul(got[1], x, m, 40);
                if (first == null) {
                    first = got;
                }
                for (int j = 0; j < got.length; j++) {
                    assertArrayEquals(first[j], got[j], type + " output " + j + " differs at call " + i);
                }
            }
        }
    }

    private static float[] gaussian(Random r, int n, double sd) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (sd * r.nextGaussian());
        }
        return a;
    }
}
