package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.Half;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The decode GEMV's F16 widening ({@link Gemv#halfBits}) and its Inf/NaN fallback against the plain twin. */
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
}
