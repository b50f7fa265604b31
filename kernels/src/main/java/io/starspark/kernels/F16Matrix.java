package io.starspark.kernels;

import jdk.incubator.vector.FloatVector;

/** IEEE-754 half-precision weights. {@code data: [rows][cols]} raw half bits, row-major. */
public record F16Matrix(short[] data, int rows, int cols) implements Matrix {
    /** half bits → float, all 65536 values (256 KiB, built once). */
    private static final float[] HALF = halfTable();
    /** Whether 16 values at a time go through {@link Half#toFloats} (512-bit vectors), the rest through the table. */
    private static final boolean VECTORS = FloatVector.SPECIES_PREFERRED.length() == 16;

    public F16Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        Shapes.requireLength("data", data.length, (long) rows * cols);
    }

    private static float[] halfTable() {
        float[] t = new float[65536];
        for (int i = 0; i < t.length; i++) {
            t[i] = Half.toFloat((short) i);
        }
        return t;
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        int base = row * cols + c0;
        int i = 0;
        if (VECTORS) {
            for (; i + 16 <= len; i += 16) {
                Half.toFloats(data, base + i).intoArray(dst, offset + i);
            }
        }
        for (; i < len; i++) {
            dst[offset + i] = HALF[data[base + i] & 0xffff];
        }
    }

    @Override
    public long bytes() {
        return 2L * data.length;
    }
}
