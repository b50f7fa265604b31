package io.starspark.kernels;

/** IEEE-754 half-precision weights. {@code data: [rows][cols]} raw half bits, row-major. */
public record F16Matrix(short[] data, int rows, int cols) implements Matrix {
    public F16Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        Shapes.requireLength("data", data.length, (long) rows * cols);
    }

    @Override
    public float get(int r, int c) {
        return Half.toFloat(data[r * cols + c]);
    }

    @Override
    public long bytes() {
        return 2L * data.length;
    }
}
