package io.starspark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * STREAM triad {@code a[i] = b[i] + s·c[i]} on arrays far larger than the caches: the memory bandwidth a
 * weight-streaming decode can hope for. Bytes counted as STREAM does (3 × 4 per element; write-allocate not counted).
 */
public final class Triad {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Floats per array per thread: 3 × 32 MiB per thread. */
    private static final int N = 8 << 20;

    private Triad() {
    }

    private static void triad(float[] a, float[] b, float[] c, float s) {
        int i = 0;
        for (; i + S.length() <= a.length; i += S.length()) {
            FloatVector.fromArray(S, c, i).mul(s).add(FloatVector.fromArray(S, b, i)).intoArray(a, i);
        }
        for (; i < a.length; i++) {
            a[i] = b[i] + s * c[i];
        }
    }

    /** GB/s over {@code threads} threads (each on its own arrays), best of {@code reps} passes. */
    static double measure(int threads, int reps) throws Exception {
        float[][][] arrays = new float[threads][3][N];
        for (float[][] t : arrays) {
            for (float[] x : t) {
                java.util.Arrays.fill(x, 1f);
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                List<Future<?>> fs = new ArrayList<>();
                for (float[][] t : arrays) {
                    fs.add(pool.submit(() -> triad(t[0], t[1], t[2], 0.5f)));
                }
                for (Future<?> f : fs) {
                    f.get();
                }
                double sec = (System.nanoTime() - t0) / 1e9;
                best = Math.max(best, threads * 12.0 * N / sec / 1e9);
            }
            return best;
        } finally {
            pool.shutdown();
        }
    }
}
