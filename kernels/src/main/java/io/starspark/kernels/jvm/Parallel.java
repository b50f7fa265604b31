package io.starspark.kernels.jvm;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;

/** A fixed pool that runs index ranges in parallel; callers from many threads may share it. */
final class Parallel implements AutoCloseable {
    /** Body of a parallel loop over indices {@code [from, to)}. */
    interface RangeBody {
        void run(int from, int to);
    }

    private final ForkJoinPool pool;
    private final int threads;

    Parallel(int threads) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive (got " + threads + ")");
        }
        this.threads = threads;
        this.pool = threads == 1 ? null : new ForkJoinPool(threads);
    }

    int threads() {
        return threads;
    }

    /** Runs {@code [0, n)} split into {@code min(n, chunks)} contiguous ranges, waiting for all. */
    void forRange(int n, int chunks, RangeBody body) {
        int parts = Math.min(n, Math.max(1, chunks));
        if (parts <= 1 || pool == null) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[parts];
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            tasks[p] = pool.submit(() -> body.run(from, to));
        }
        for (ForkJoinTask<?> t : tasks) {
            t.join();
        }
    }

    /** Runs {@code [0, n)} in one range per thread. */
    void forRange(int n, RangeBody body) {
        forRange(n, threads, body);
    }

    /**
     * Below this many FLOPs a call runs on the calling thread: handing work to the pool and joining
     * costs tens of microseconds, more than a small model's whole decode-step matmul.
     */
    static final long MIN_PARALLEL_FLOPS = 1L << 20;

    /** Like {@link #forRange(int, RangeBody)}, inline when the whole loop is under {@link #MIN_PARALLEL_FLOPS}. */
    void forRange(int n, long flops, RangeBody body) {
        if (flops < MIN_PARALLEL_FLOPS) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        forRange(n, body);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdown();
        }
    }
}
