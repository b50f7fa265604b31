package io.starspark.kernels.jvm;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Converts a run of one weight row to float: F32 copy, F16 via a 64K table, Q8_0 vectorized per 32-block. */
final class WeightRows {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    /** half bits → float, all 65536 values (256 KiB, built once). */
    private static final float[] HALF = halfTable();

    private WeightRows() {
    }

    private static float[] halfTable() {
        float[] t = new float[65536];
        for (int i = 0; i < t.length; i++) {
            t[i] = Half.toFloat((short) i);
        }
        return t;
    }

    /** dst[dstOff + i] = W[r][c0 + i] for i &lt; len. */
    static void load(Matrix w, int r, int c0, int len, float[] dst, int dstOff) {
        if (w instanceof F32Matrix m) {
            System.arraycopy(m.data(), r * m.cols() + c0, dst, dstOff, len);
        } else if (w instanceof F16Matrix m) {
            short[] d = m.data();
            int base = r * m.cols() + c0;
            for (int i = 0; i < len; i++) {
                dst[dstOff + i] = HALF[d[base + i] & 0xffff];
            }
        } else {
            loadQ8((Q8Matrix) w, r, c0, len, dst, dstOff);
        }
    }

    private static void loadQ8(Q8Matrix m, int r, int c0, int len, float[] dst, int dstOff) {
        byte[] q = m.quants();
        float[] scales = m.scales();
        int blocksPerRow = m.cols() / Q8Matrix.BLOCK;
        int base = r * m.cols();
        int i = 0;
        // vector path: whole 16-value halves of 32-blocks, when the float species holds 16 lanes
        if (F.length() == 16) {
            while (i < len && ((c0 + i) & 15) != 0) {
                dst[dstOff + i] = q[base + c0 + i] * scales[r * blocksPerRow + (c0 + i) / Q8Matrix.BLOCK];
                i++;
            }
            for (; i + 16 <= len; i += 16) {
                int c = c0 + i;
                float scale = scales[r * blocksPerRow + c / Q8Matrix.BLOCK];
                FloatVector v = (FloatVector) ByteVector.fromArray(B, q, base + c)
                        .convertShape(VectorOperators.B2F, F, 0);
                v.mul(scale).intoArray(dst, dstOff + i);
            }
        }
        for (; i < len; i++) {
            int c = c0 + i;
            dst[dstOff + i] = q[base + c] * scales[r * blocksPerRow + c / Q8Matrix.BLOCK];
        }
    }
}
