package io.starspark.kernels.aparapi;

/**
 * Row-major {@code [rows][cols]} to {@code [cols][rows]}, for the CPU kernel's register-tiled GEMM
 * ({@link BlockKernelCpu}), whose tiles of {@link BlockKernel#COLUMN_ROWS} rows read that many weights of a column at
 * once: past a last partial tile they read into the next column, and after the last column into
 * {@link #padding} floats of zeros.
 */
final class Transpose {
    private Transpose() {
    }

    /** Floats a transposed matrix of {@code rows} rows needs after it: none when its rows fill whole tiles. */
    static int padding(int rows) {
        return rows % BlockKernel.COLUMN_ROWS == 0 ? 0 : BlockKernel.COLUMN_ROWS;
    }

    /** {@code a} transposed into a new array with {@link #padding} floats after it. */
    static float[] padded(float[] a, int rows, int cols) {
        float[] t = new float[rows * cols + padding(rows)];
        into(a, rows, cols, t, 0);
        return t;
    }

    /** {@code a} transposed into {@code dst} from {@code at}. */
    static void into(float[] a, int rows, int cols, float[] dst, int at) {
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                dst[at + c * rows + r] = a[r * cols + c];
            }
        }
    }
}
