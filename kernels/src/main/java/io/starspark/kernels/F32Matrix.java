package io.starspark.kernels;

/** F32 weights. {@code data: [rows][cols]}, row-major. */
public record F32Matrix(float[] data, int rows, int cols) implements Matrix {
    public F32Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        Shapes.requireLength("data", data.length, (long) rows * cols);
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        System.arraycopy(data, row * cols + c0, dst, offset, len);
    }

    @Override
    public long bytes() {
        return 4L * data.length;
    }
}
