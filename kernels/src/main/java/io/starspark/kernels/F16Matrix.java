package io.starspark.kernels;

/** IEEE-754 half-precision weights. {@code data: [rows][cols]} raw half bits, row-major. */
public record F16Matrix(short[] data, int rows, int cols) implements Matrix {
    /** half bits → float, all 65536 values (256 KiB, built once). */
    private static final float[] HALF = halfTable();

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
        for (int i = 0; i < len; i++) {
            dst[offset + i] = HALF[data[base + i] & 0xffff];
        }
    }

    @Override
    public long bytes() {
        return 2L * data.length;
    }
}
