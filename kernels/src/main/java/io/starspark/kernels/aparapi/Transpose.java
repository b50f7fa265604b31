package io.starspark.kernels.aparapi;

/** Row-major {@code [rows][cols]} to {@code [cols][rows]}, for weights uploaded in GEMM column mode. */
final class Transpose {
    private Transpose() {
    }

    static float[] of(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }

    static byte[] of(byte[] a, int rows, int cols) {
        byte[] t = new byte[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = a[r * cols + c];
            }
        }
        return t;
    }
}
