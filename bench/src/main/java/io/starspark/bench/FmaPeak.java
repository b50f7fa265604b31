package io.starspark.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Measured FP32 FMA peak: a vector FMA loop with 12 independent accumulators, per thread. */
public final class FmaPeak {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int ACC = 12;

    private FmaPeak() {
    }

    /** FLOPs of one {@link #spin} call with {@code iters} iterations. */
    static double flops(long iters) {
        return 2.0 * S.length() * ACC * iters;
    }

    /** Returns a value depending on every FMA so the JIT keeps them. */
    static float spin(long iters) {
        FloatVector a = FloatVector.broadcast(S, 0.999999f);
        FloatVector b = FloatVector.broadcast(S, 1e-7f);
        FloatVector c0 = FloatVector.broadcast(S, 1f), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
        FloatVector c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(a, b);
            c1 = c1.fma(a, b);
            c2 = c2.fma(a, b);
            c3 = c3.fma(a, b);
            c4 = c4.fma(a, b);
            c5 = c5.fma(a, b);
            c6 = c6.fma(a, b);
            c7 = c7.fma(a, b);
            c8 = c8.fma(a, b);
            c9 = c9.fma(a, b);
            c10 = c10.fma(a, b);
            c11 = c11.fma(a, b);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11)
                .reduceLanes(VectorOperators.ADD);
    }

    /** GFLOP/s over {@code threads} threads, best of {@code reps} runs of about 0.3 s. */
    static double measure(int threads, int reps) throws Exception {
        long iters = 30_000_000L;
        spin(iters / 10); // warm up
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = 0;
            for (int r = 0; r < reps; r++) {
                long t0 = System.nanoTime();
                List<Future<Float>> fs = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    fs.add(pool.submit(() -> spin(iters)));
                }
                float sink = 0;
                for (Future<Float> f : fs) {
                    sink += f.get();
                }
                double sec = (System.nanoTime() - t0) / 1e9;
                if (Float.isNaN(sink)) {
                    throw new IllegalStateException("FMA loop produced NaN");
                }
                best = Math.max(best, threads * flops(iters) / sec / 1e9);
            }
            return best;
        } finally {
            pool.shutdown();
        }
    }
}
