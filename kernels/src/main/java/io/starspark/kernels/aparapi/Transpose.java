package io.starspark.kernels.aparapi;

/**
 * Row-major {@code [rows][cols]} to column-major with a padded stride, {@code [cols][stride]}, for the CPU kernel's
 * register-tiled GEMM ({@link BlockKernelCpu}), whose tiles read {@link BlockKernel#COLUMN_ROWS} weights of a column
 * at once. The stride covers whole tiles and is an odd number of 64-byte lines: a column's tile then starts in
 * another cache set than the previous column's (a stride of 768 or 2048 floats put every column's tile in one of
 * 4 or 1 sets of L1; 2048 → 2064 measured 2× the GEMM's speed on PoCL in the same JVM).
 */
final class Transpose {
    private Transpose() {
    }

    /** Floats between consecutive columns of a transposed matrix of {@code rows} rows. */
    static int stride(int rows) {
        int lines = (rows + BlockKernel.COLUMN_ROWS - 1) / BlockKernel.COLUMN_ROWS;
        return (lines % 2 == 0 ? lines + 1 : lines) * BlockKernel.COLUMN_ROWS;
    }

    /** {@code a} transposed into a new array of {@code cols · stride(rows)} floats. */
    static float[] padded(float[] a, int rows, int cols) {
        float[] t = new float[cols * stride(rows)];
        into(a, rows, cols, t, 0);
        return t;
    }

    /** {@code a} transposed into {@code dst} from {@code at}, {@link #stride} floats per column. */
    static void into(float[] a, int rows, int cols, float[] dst, int at) {
        int stride = stride(rows);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[at + c * stride + r] = a[r * cols + c];
            }
        }
    }
}
