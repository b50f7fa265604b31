package io.starspark.kernels.jvm;

import java.util.Random;

/** Test inputs for the java kernels' tests. */
final class Gaussians {
    private Gaussians() {
    }

    /** n standard normal values from r, as floats. */
    static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
