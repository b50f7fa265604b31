package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per token (the range is padded to whole work-groups). */
final class RmsnormKernel extends Kernel {
    float[] out; // [tokens][dim]
    float[] x; // [tokens][dim]
    float[] weight; // [dim]
    int dim;
    int tokens;
    float eps;

    @Override
    public void run() {
        int t = getGlobalId();
        if (t >= tokens) {
            return;
        }
        int base = t * dim;
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
