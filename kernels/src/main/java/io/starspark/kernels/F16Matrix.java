package io.starspark.kernels;

/** IEEE-754 half-precision weights. {@code data: [rows][cols]} raw half bits, row-major. */
public record F16Matrix(short[] data, int rows, int cols) implements Matrix {
    public F16Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        Shapes.requireLength("data", data.length, (long) rows * cols);
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        int base = row * cols + c0;
        for (int i = 0; i < len; i++) {
            dst[offset + i] = Half.toFloat(data[base + i]);
        }
    }

    @Override
    public long bytes() {
        return 2L * data.length;
    }
}
