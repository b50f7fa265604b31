package io.starspark.kernels.jvm;

import static io.starspark.kernels.jvm.Gaussians.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The K-quant decode GEMV ({@link Gemv}, T ≤ 3) on rows wider than one of Q4_K's column chunks, and on rows whose d or
 * dmin is Inf or NaN, against the rows decoded by {@code loadRow} and dotted. (Its bits on every split and JIT tier at
 * 512 columns: {@code MatmulRepeatabilityTest}; the contract shapes: {@code KernelsContract}.)
 */
class KQuantRowsTest {
    /**
     * K-quant rows of 4608 columns (Q4_K, Q6_K: two whole {@link Gemv#LANE_CHUNK}s and a part chunk), 37 rows (groups
     * of {@link Gemv#LANE_GROUP} and a tail, split over 2 threads mid-group), T = 1..3: every row is the decoded row's
     * dot product within float rounding of its terms (an error ~1e-6 of Σ|x·w|; a chunk lost or counted twice is
     * ~10%), with the same bits on 1 and 2 threads while the JIT compiles; likewise rows of exactly one chunk and of
     * one block. (Q5_K widens its bytes row by row: the same check at these widths.)
     */
    @ParameterizedTest
    @EnumSource(value = BlockType.class, names = {"Q4_K", "Q5_K", "Q6_K"})
    void kQuantRowsOverChunksAndGroupsAreTheDecodedRowsDotted(BlockType type) {
        long seed = 41;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        for (int[] shape : new int[][] {{37, 4608}, {20, 2048}, {3, 256}}) {
            int rows = shape[0];
            int cols = shape[1];
            float[] values = gaussian(r, rows * cols);
            BlockMatrix w = BlockMatrix.quantize(type, values, rows, cols);
            float[] x = gaussian(r, 3 * cols);
            float[] row = new float[cols];
            try (JavaKernels two = new JavaKernels(2); JavaKernels one = new JavaKernels(1)) {
                for (int tokens = 1; tokens <= 3; tokens++) {
                    float[] first = null;
                    for (int call = 0; call < 30; call++) {
                        float[] got = new float[tokens * rows];
                        (call % 2 == 0 ? two : one).matmul(got, x, w, tokens);
                        if (first == null) {
                            first = got;
                            for (int i = 0; i < rows; i++) {
                                w.loadRow(i, row, 0);
                                for (int t = 0; t < tokens; t++) {
                                    double exact = 0;
                                    double magnitude = 0;
                                    for (int c = 0; c < cols; c++) {
                                        exact += (double) x[t * cols + c] * row[c];
                                        magnitude += Math.abs((double) x[t * cols + c] * row[c]);
                                    }
                                    float sum = got[t * rows + i];
                                    assertEquals(exact, sum, 2e-6 * magnitude, type + " " + rows + "x" + cols + " row " + i
                                            + " T=" + tokens + " t=" + t);
                                }
                            }
                        }
                        assertArrayEquals(first, got, type + " " + rows + "x" + cols + " T=" + tokens + " call " + call);
                    }
                }
            }
        }
    }

    /**
     * Q4_K, Q5_K and Q6_K rows with an Inf or NaN d or dmin in one block (first, middle or last; rows of a 1030-row
     * matrix split over 2 threads) sum to a non-finite number exactly where the rows decoded by loadRow and dotted
     * do, T = 1..3, and every other row stays finite: a broken scale never becomes a finite answer.
     */
    @Test
    void rowsWithInfOrNaNFactorsAreNotFinite() {
        long seed = 33;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 1030;
        int cols = 768;
        float[] values = gaussian(r, rows * cols);
        // {row, block, offset of the half in the block (Q6_K: its d, whatever is given), half}
        int[][] specials = {{3, 0, 0, 0x7c00}, {500, 1, 2, 0x7e00}, {1029, 2, 0, 0xfc00}, {1028, 2, 2, 0x7c01}};
        for (BlockType type : new BlockType[] {BlockType.Q4_K, BlockType.Q5_K, BlockType.Q6_K}) {
            BlockMatrix w = BlockMatrix.quantize(type, values, rows, cols);
            for (int[] s : specials) {
                int at = s[0] * type.rowBytes(cols) + s[1] * type.blockBytes();
                setHalf(w.data(), type == BlockType.Q6_K ? at + 208 : at + s[2], s[3]);
            }
            for (int threads : new int[] {1, 2}) {
                try (JavaKernels k = new JavaKernels(threads)) {
                    for (int tokens = 1; tokens <= 3; tokens++) {
                        float[] x = gaussian(r, tokens * cols);
                        float[] out = new float[tokens * rows];
                        k.matmul(out, x, w, tokens);
                        float[] row = new float[cols];
                        int nonFinite = 0;
                        for (int i = 0; i < rows; i++) {
                            w.loadRow(i, row, 0);
                            for (int t = 0; t < tokens; t++) {
                                boolean twin = Float.isFinite(JavaMatmul.dot(x, t * cols, row, 0, cols));
                                assertEquals(twin, Float.isFinite(out[t * rows + i]), type + " row " + i + " T="
                                        + tokens + " t=" + t + " on " + threads + ": " + out[t * rows + i]);
                                nonFinite += twin ? 0 : 1;
                            }
                        }
                        for (int[] s : specials) {
                            assertFalse(Float.isFinite(out[s[0]]), type + " row " + s[0] + " is finite");
                        }
                        assertTrue(nonFinite <= specials.length * tokens, type + ": " + nonFinite + " rows not finite");
                    }
                }
            }
        }
    }

    private static void setHalf(byte[] b, int at, int h) {
        b[at] = (byte) h;
        b[at + 1] = (byte) (h >> 8);
    }
}
