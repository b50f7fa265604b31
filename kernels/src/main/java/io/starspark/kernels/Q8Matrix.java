package io.starspark.kernels;

/**
 * GGML Q8_0 weights: blocks of 32 consecutive values along a row share one scale.
 * {@code quants: [rows][cols]} int8, {@code scales: [rows][cols/32]}; value = quants * scale.
 */
public record Q8Matrix(byte[] quants, float[] scales, int rows, int cols) implements Matrix {
    public static final int BLOCK = 32;

    public Q8Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 matrix cols must be a multiple of " + BLOCK + " (got " + cols + ")");
        }
        Shapes.requireLength("quants", quants.length, (long) rows * cols);
        Shapes.requireLength("scales", scales.length, (long) rows * (cols / BLOCK));
    }

    @Override
    public float get(int r, int c) {
        return quants[r * cols + c] * scales[r * (cols / BLOCK) + c / BLOCK];
    }

    @Override
    public long bytes() {
        return quants.length + 4L * scales.length;
    }
}
