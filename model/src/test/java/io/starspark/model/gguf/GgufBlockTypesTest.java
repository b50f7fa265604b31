package io.starspark.model.gguf;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.jvm.JavaKernels;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each block type written by {@link GgufWriter} (quantizing), read back by {@link GgufFile}, and used
 * by the fast matmul, against a float64 matmul over the ORIGINAL f32 weights. Quantization error
 * e of a weight is roughly independent across weights with RMS ε·rms(w), so an output's error
 * Σ_c x_c·e_c has standard deviation ε·rms(w)·‖x‖; the bound is 5 such deviations, with ε the
 * type's relative RMS error on gaussian blocks (4-bit 0.12, 5-bit 0.06, 6-bit 0.035: the
 * quantizers measure 0.09, 0.05, 0.03 at worst, BlockTypeOracleTest). The error must also be
 * non-zero on average (the weights really went through the quantizer).
 */
class GgufBlockTypesTest {
    private static final long SEED = 8L;
    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K"})
    void writeReadMatmulWithinQuantizationError(GgmlType type) {
        System.out.println("GgufBlockTypesTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        int rows = 40;
        int cols = 768;
        int tokens = 5;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (r.nextGaussian() * 0.05);
        }
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        Path p = dir.resolve(type + ".gguf");
        new GgufWriter().tensor("w", type, new long[]{cols, rows}, (row, dst) ->
            System.arraycopy(w, (int) row * cols, dst, 0, cols)).write(p);
        double eps = switch (type) {
            case Q4_0, Q4_1, Q4_K -> 0.12;
            case Q5_0, Q5_1, Q5_K -> 0.06;
            default -> 0.035;
        };
        try (GgufFile f = GgufFile.open(p); JavaKernels k = new JavaKernels(2)) {
            assertEquals((long) rows * cols / type.blockSize() * type.block().blockBytes(), f.tensor("w").bytes());
            Matrix m = f.matrix("w");
            assertEquals(type.block(), assertInstanceOf(BlockMatrix.class, m).type());
            assertEquals(f.tensor("w").bytes(), m.bytes(), "held as raw blocks, not widened");
            for (int t : new int[]{1, tokens}) {
                float[] out = new float[t * rows];
                k.matmul(out, x, m, t);
                double sumErr = 0;
                for (int i = 0; i < t; i++) {
                    double xNorm = 0;
                    for (int c = 0; c < cols; c++) {
                        xNorm += (double) x[i * cols + c] * x[i * cols + c];
                    }
                    double bound = 5 * eps * 0.05 * Math.sqrt(xNorm);
                    for (int o = 0; o < rows; o++) {
                        double exact = 0;
                        for (int c = 0; c < cols; c++) {
                            exact += (double) x[i * cols + c] * w[o * cols + c];
                        }
                        double err = Math.abs(out[i * rows + o] - exact);
                        sumErr += err;
                        assertTrue(err <= bound, type + " T=" + t + " out[" + i + "][" + o + "]: error " + err
                            + " > " + bound);
                    }
                }
                assertTrue(sumErr > 0, type + ": no quantization error at all");
            }
        }
    }
}
