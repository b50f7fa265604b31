package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.Matrix;
import java.util.Random;
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
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        Matrix m = BlockMatrix.quantize(type, w, rows, cols);
        float[] x = new float[40 * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
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
}
