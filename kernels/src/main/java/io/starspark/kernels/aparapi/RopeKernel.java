package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/**
 * One work-item per (token, head, pair). The pair layout (adjacent or NEOX halves) and cos/sin come from the
 * host (angles computed in double).
 */
final class RopeKernel extends Kernel {
    float[] x; // [tokens][heads][headDim]
    float[] trig; // [tokens][pairs] cos, then [tokens][pairs] sin
    int sinOff; // tokens · pairs
    int heads;
    int headDim;
    int pairs; // rotaryDim / 2
    int n; // tokens · heads · pairs
    int pairStride; // offset of pair i's first element is i · pairStride: 2 adjacent, 1 NEOX
    int partnerOffset; // second element minus first: 1 adjacent, rotaryDim / 2 NEOX

    @Override
    public void run() {
        int gid = getGlobalId();
        if (gid >= n) {
            return;
        }
        int i = gid % pairs;
        int th = gid / pairs;
        int t = th / heads;
        int base = th * headDim + pairStride * i;
        float c = trig[t * pairs + i];
        float s = trig[sinOff + t * pairs + i];
        float a = x[base];
        float b = x[base + partnerOffset];
        x[base] = a * c - b * s;
        x[base + partnerOffset] = a * s + b * c;
    }
}
