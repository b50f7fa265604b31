package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per token. */
final class RmsnormKernel extends Kernel {
    float[] out; // [tokens][dim]
    float[] x; // [tokens][dim]
    float[] weight; // [dim]
    int dim;
    float eps;

    @Override
    public void run() {
        int base = getGlobalId() * dim;
        float ss = 0f;
        for (int i = 0; i < dim; i++) {
            ss += x[base + i] * x[base + i];
        }
        float inv = 1f / sqrt(ss / dim + eps);
        for (int i = 0; i < dim; i++) {
            out[base + i] = x[base + i] * inv * weight[i];
        }
    }
}
