package io.starspark.kernels;

/**
 * A weight matrix {@code W[rows][cols]}, row-major: {@code rows} = output features,
 * {@code cols} = input features. Immutable after load; shared by all tasks in a JVM.
 */
public sealed interface Matrix permits F32Matrix, F16Matrix, Q8Matrix {
    int rows();

    int cols();

    /** Element {@code W[r][c]} as float (slow; for reference kernels and tests). */
    float get(int r, int c);

    /** Bytes held in memory by this matrix. */
    long bytes();
}
