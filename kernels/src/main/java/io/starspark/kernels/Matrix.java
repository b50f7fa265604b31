package io.starspark.kernels;

/**
 * A weight matrix {@code W[rows][cols]}, row-major: {@code rows} = output features,
 * {@code cols} = input features. Immutable after load; shared by all tasks in a JVM.
 * Each type decodes its own rows ({@link #loadRow}); every consumer (kernels, embedding lookup,
 * GGUF reader) goes through it, so a new tensor type is written in one place.
 */
public sealed interface Matrix permits F32Matrix, F16Matrix, Q8Matrix, BlockMatrix {
    int rows();

    int cols();

    /** Values per quantization block along a row (1 for plain floats); column ranges start and end on one. */
    default int blockSize() {
        return 1;
    }

    /**
     * {@code dst[offset + i] = W[row][c0 + i]} for {@code i < len}. {@code c0} and {@code len} are
     * multiples of {@link #blockSize()} (or {@code c0 + len == cols}).
     */
    void loadRow(int row, int c0, int len, float[] dst, int offset);

    /** The whole row {@code W[row][0..cols)} into {@code dst[offset..offset+cols)}. */
    default void loadRow(int row, float[] dst, int offset) {
        loadRow(row, 0, cols(), dst, offset);
    }

    /** Bytes held in memory by this matrix. */
    long bytes();
}
