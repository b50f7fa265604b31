package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per (token, head, pair); cos/sin come from the host (angles computed in double). */
final class RopeKernel extends Kernel {
    float[] x; // [tokens][heads][headDim]
    float[] cos; // [tokens][pairs]
    float[] sin; // [tokens][pairs]
    int heads;
    int headDim;
    int pairs; // rotaryDim / 2
    int n; // tokens · heads · pairs

    @Override
    public void run() {
        int gid = getGlobalId();
        if (gid >= n) {
            return;
        }
        int i = gid % pairs;
        int th = gid / pairs;
        int t = th / heads;
        int base = th * headDim + 2 * i;
        float c = cos[t * pairs + i];
        float s = sin[t * pairs + i];
        float a = x[base];
        float b = x[base + 1];
        x[base] = a * c - b * s;
        x[base + 1] = a * s + b * c;
    }
}
