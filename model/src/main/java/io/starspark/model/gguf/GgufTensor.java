package io.starspark.model.gguf;

/**
 * One tensor's description from the GGUF header. {@code dims} in GGML order: {@code dims[0]} is
 * the innermost (contiguous) dimension, so a matrix {@code W[rows][cols]} has dims {cols, rows}.
 * {@code offset} is absolute in the file; {@code bytes} is the data size.
 */
public record GgufTensor(String name, GgmlType type, long[] dims, long offset, long bytes) {
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Innermost dimension (row length). */
    public long cols() {
        return dims[0];
    }

    /** Product of all dimensions but the innermost. */
    public long rows() {
        return elements() / dims[0];
    }
}
