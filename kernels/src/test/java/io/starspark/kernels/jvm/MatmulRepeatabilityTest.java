package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
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

    /**
     * Q8_0 too; its GEMV dequantizes in registers ({@code JavaMatmul.dotQ8}), which must give the bits of the
     * row decoded by {@link Q8Matrix#loadRow} and dotted by {@code JavaMatmul.dot}.
     */
    @Test
    void q8SameBitsAcrossJitTiersAndThreadsAndAsDecodedRows() {
        long seed = 12;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 70;
        int cols = 512;
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        Q8Matrix m = new Q8Matrix(q, gaussian(r, rows * cols / Q8Matrix.BLOCK, 0.01), rows, cols);
        float[] x = gaussian(r, cols, 1);
        float[] row = new float[cols];
        float[] expect = new float[rows];
        for (int i = 0; i < rows; i++) {
            m.loadRow(i, row, 0);
            expect[i] = JavaMatmul.dot(x, 0, row, 0, cols);
        }
        try (JavaKernels one = new JavaKernels(1)) {
            for (int i = 0; i < 150; i++) {
                float[] got = new float[rows];
                one.matmul(got, x, m, 1);
                assertArrayEquals(expect, got, "Q8_0 GEMV differs from loadRow + dot at call " + i);
            }
        }
        repeatable(m, r, "Q8_0");
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
