package io.starspark.model;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Embedding rows of every matrix kind, judged by the stored values; token ids at both ends of the range. */
class EmbeddingRowsTest {
    private static final long SEED = Long.getLong("starspark.test.seed", 20261208L);
    private static final int ROWS = 5;
    private static final int COLS = 64;

    private static Matrix[] matrices() {
        System.out.println("EmbeddingRowsTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        float[] f = new float[ROWS * COLS];
        short[] h = new short[ROWS * COLS];
        byte[] q = new byte[ROWS * COLS];
        float[] scales = new float[ROWS * COLS / Q8Matrix.BLOCK];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) r.nextGaussian();
            h[i] = Half.fromFloat((float) r.nextGaussian());
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        for (int i = 0; i < scales.length; i++) {
            scales[i] = (float) (0.001 + r.nextDouble() * 0.01);
        }
        return new Matrix[] {new F32Matrix(f, ROWS, COLS), new F16Matrix(h, ROWS, COLS), new Q8Matrix(q, scales, ROWS, COLS)};
    }

    /** {@code W[r][c]} decoded from the record's own arrays, not through {@link Matrix#loadRow}. */
    private static float element(Matrix m, int r, int c) {
        int i = r * m.cols() + c;
        if (m instanceof F32Matrix f) {
            return f.data()[i];
        }
        if (m instanceof F16Matrix h) {
            return Half.toFloat(h.data()[i]);
        }
        Q8Matrix q = (Q8Matrix) m;
        int at = q.quantIndex(r, c); // its layout: Q8MatrixTest
        return q.tiledQuants()[at] * q.tiledScales()[at / Q8Matrix.BLOCK];
    }

    @Test
    void everyRowOfEveryKindIsCopiedAtItsOffset() {
        for (Matrix m : matrices()) {
            for (int row = 0; row < ROWS; row++) {
                float[] dst = new float[3 + COLS + 2];
                java.util.Arrays.fill(dst, 99f);
                Forward.embed(m, row, dst, 3);
                for (int c = 0; c < COLS; c++) {
                    assertEquals(element(m, row, c), dst[3 + c], m.getClass().getSimpleName() + " row " + row + " col " + c);
                }
                assertEquals(99f, dst[2], "before the row untouched");
                assertEquals(99f, dst[3 + COLS], "after the row untouched");
            }
        }
    }

    @Test
    void tokenIdsOutsideTheVocabularyAreRefused() {
        for (Matrix m : matrices()) {
            float[] dst = new float[COLS];
            Forward.embed(m, ROWS - 1, dst, 0);
            assertEquals("token id 5 out of range [0, 5)",
                assertThrows(IllegalArgumentException.class, () -> Forward.embed(m, ROWS, dst, 0)).getMessage());
            assertEquals("token id -1 out of range [0, 5)",
                assertThrows(IllegalArgumentException.class, () -> Forward.embed(m, -1, dst, 0)).getMessage());
        }
    }
}
