package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per (token, row): {@code out[t][r] = Σ_c x[t][c]·w[r][c]}. */
final class MatmulKernel extends Kernel {
    float[] out; // [tokens][rows]
    float[] x; // [tokens][cols]
    float[] w; // [rows][cols]
    int rows;
    int cols;

    @Override
    public void run() {
        int gid = getGlobalId();
        int t = gid / rows;
        int r = gid - t * rows;
        int xb = t * cols;
        int wb = r * cols;
        float acc = 0f;
        for (int c = 0; c < cols; c++) {
            acc += x[xb + c] * w[wb + c];
        }
        out[gid] = acc;
    }
}
