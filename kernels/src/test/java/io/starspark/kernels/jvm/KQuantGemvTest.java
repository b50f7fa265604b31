package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The K-quant decode GEMV's block factors against the scalar products they stand for, and its rows whose d or dmin
 * is Inf or NaN against the rows decoded by loadRow and dotted. (Its sums against that twin, on every split and JIT
 * tier: {@code MatmulRepeatabilityTest}, {@code KernelsContract}.)
 */
class KQuantGemvTest {
    /**
     * For every half as d (and as dmin, paired with another half), with random 6-bit scales and mins, the Q4_K /
     * Q5_K factors are the bits of {@code half(d) * kScale(j)} and {@code half(dmin) * kMin(j)}: subnormal, zero,
     * negative, Inf and NaN halves included (an Inf or NaN half gives non-finite factors, as the scalar product).
     */
    @Test
    void kFactorsAreTheScalarProductsForEveryHalf() {
        long seed = 31;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        byte[] b = new byte[144];
        float[] f = new float[16];
        for (int h = 0; h < 65536; h++) {
            r.nextBytes(b);
            int dmin = (h * 7919 + 12345) & 0xffff;
            setHalf(b, 0, h);
            setHalf(b, 2, dmin);
            KQuantGemv.kFactors(b, 0).intoArray(f, 0);
            for (int j = 0; j < 8; j++) {
                assertEquals(Float.floatToRawIntBits(BlockType.half(b, 0) * BlockType.kScale(b, 4, j)),
                        Float.floatToRawIntBits(f[j]), "d·scale " + j + " of d 0x" + Integer.toHexString(h));
                assertEquals(Float.floatToRawIntBits(BlockType.half(b, 2) * BlockType.kMin(b, 4, j)),
                        Float.floatToRawIntBits(f[8 + j]), "dmin·min " + j + " of dmin 0x" + Integer.toHexString(dmin));
            }
        }
    }

    /** Q6_K's scales: the bits of {@code half(d) * scale_m} for the int8 scale of every 16-value group, every half. */
    @Test
    void q6kScalesAreTheScalarProductsForEveryHalf() {
        long seed = 32;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        byte[] b = new byte[210];
        float[] f = new float[16];
        for (int h = 0; h < 65536; h++) {
            r.nextBytes(b);
            setHalf(b, 208, h);
            KQuantGemv.q6kScales(b, 0).intoArray(f, 0);
            for (int m = 0; m < 16; m++) {
                assertEquals(Float.floatToRawIntBits(BlockType.half(b, 208) * b[192 + m]), Float.floatToRawIntBits(f[m]),
                        "scale " + m + " of d 0x" + Integer.toHexString(h));
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
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) r.nextGaussian();
        }
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
                        float[] x = new float[tokens * cols];
                        for (int i = 0; i < x.length; i++) {
                            x[i] = (float) r.nextGaussian();
                        }
                        float[] out = new float[tokens * rows];
                        k.matmul(out, x, w, tokens);
                        float[] row = new float[cols];
                        for (int i = 0; i < rows; i++) {
                            w.loadRow(i, row, 0);
                            for (int t = 0; t < tokens; t++) {
                                boolean twin = Float.isFinite(JavaMatmul.dot(x, t * cols, row, 0, cols));
                                assertEquals(twin, Float.isFinite(out[t * rows + i]), type + " row " + i + " T="
                                        + tokens + " t=" + t + " on " + threads + ": " + out[t * rows + i]);
                            }
                        }
                        for (int[] s : specials) {
                            assertFalse(Float.isFinite(out[s[0]]), type + " row " + s[0] + " is finite");
                        }
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
