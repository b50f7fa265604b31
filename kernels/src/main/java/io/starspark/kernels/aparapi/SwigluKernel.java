package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per element: {@code out = silu(gate)·up}. */
final class SwigluKernel extends Kernel {
    float[] out; // [n]
    float[] gate; // [n]
    float[] up; // [n]
    int n;

    @Override
    public void run() {
        int i = getGlobalId();
        if (i >= n) {
            return;
        }
        float g = gate[i];
        out[i] = g / (1f + exp(-g)) * up[i];
    }
}
