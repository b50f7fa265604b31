package io.starspark.kernels.jvm;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed set of worker threads that run index ranges in parallel with the calling thread. A call splits
 * {@code [0, n)} into fixed contiguous ranges, and the caller and the workers claim them one at a time, so which
 * thread runs a range never changes what it computes. Each thread first runs the ranges of its own contiguous
 * segment in order, then helps with the others' ({@link Job}): claiming every range in index order instead made the
 * two threads of a 2-vCPU machine interleave (one range each, in turn), every range a new stream of weight rows;
 * PrefillBench 1b q8_0, 3 alternating runs each: prefill 24.2–24.9 → 22.3–23.2 s, decode matmul 49.3–50.3 →
 * 48.3–49.9 ms per token (bench/README.md, session 13). An idle worker spins for {@link #SPIN_NANOS} before it parks:
 * a decode step hands the pool a job every few tens of microseconds, and waking a parked thread costs about that
 * much on a VM ({@code GemvBench 2 1 2000 q8_0 768}, a 1 MB GEMV on 2 threads: median 9.1–10.9 GB/s through a
 * ForkJoinPool whose caller only waited, 12.9–14.3 GB/s here, 7.6–7.9 GB/s on one thread). Callers from many
 * threads may share one instance: a call that finds the workers busy (another caller's job, or a call from inside
 * a job) runs its whole range on its own thread.
 */
final class Parallel implements AutoCloseable {
    /** Body of a parallel loop over indices {@code [from, to)}. */
    interface RangeBody {
        void run(int from, int to);
    }

    /**
     * Below this many FLOPs a call runs on the calling thread: handing work to the pool and joining
     * costs tens of microseconds, more than a small model's whole decode-step matmul.
     */
    static final long MIN_PARALLEL_FLOPS = 1L << 20;
    /**
     * Ranges per thread in a kernel's loop ({@link #forRange(int, long, RangeBody)}). One range per thread leaves a
     * thread idle whenever the other starts late or runs slower (a worker's wake-up, a vCPU shared with other
     * machines); small ranges claimed one at a time let the faster thread take more. Which ranges a loop has never
     * changes what a row or token computes. Measured on 2 vCPUs, one JVM alternating decode steps
     * ({@code DecodeAB}, 1b q8_0 after 256 tokens): median 71.9–72.7 ms per step with one range per thread,
     * 66.4–67.6 ms with 16.
     */
    static final int PARTS_PER_THREAD = 16;
    /** How long an idle worker (and a caller waiting for the last range) spins before parking. */
    static final long SPIN_NANOS = 200_000;

    private final int threads;
    private final int partsPerThread;
    private final Worker[] workers;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The latest job; {@link #generation} tells workers a new one was published. */
    private volatile Job job;
    private volatile long generation;
    private volatile boolean closed;

    Parallel(int threads) {
        this(threads, PARTS_PER_THREAD);
    }

    /** A pool whose kernel loops split into {@code partsPerThread} ranges per thread (benchmarks compare settings). */
    Parallel(int threads, int partsPerThread) {
        if (threads <= 0) {
            throw new IllegalArgumentException("threads must be positive (got " + threads + ")");
        }
        if (partsPerThread <= 0) {
            throw new IllegalArgumentException("partsPerThread must be positive (got " + partsPerThread + ")");
        }
        this.threads = threads;
        this.partsPerThread = partsPerThread;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            Thread t = new Thread(workers[i], "starspark-kernels-" + (i + 1));
            t.setDaemon(true);
            workers[i].thread = t;
            t.start();
        }
    }

    int threads() {
        return threads;
    }

    /** The worker threads (tests). */
    List<Thread> workerThreads() {
        return Arrays.stream(workers).map(w -> w.thread).toList();
    }

    /** Runs {@code [0, n)} split into {@code min(n, chunks)} contiguous ranges, waiting for all. */
    void forRange(int n, int chunks, RangeBody body) {
        int parts = Math.min(n, Math.max(1, chunks));
        if (parts <= 1 || workers.length == 0 || closed || !busy.compareAndSet(false, true)) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        Job j = new Job(body, n, parts, Thread.currentThread(), workers.length + 1);
        try {
            job = j;
            generation = generation + 1; // only the holder of busy writes it
            for (Worker w : workers) {
                if (w.parked) {
                    LockSupport.unpark(w.thread);
                }
            }
            j.work(0);
            long deadline = System.nanoTime() + SPIN_NANOS;
            while (j.done.get() < parts) {
                if (System.nanoTime() < deadline) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(this, SPIN_NANOS);
                }
            }
        } finally {
            busy.set(false);
        }
        Throwable failure = j.failure;
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(failure);
        }
    }

    /**
     * A kernel's loop: inline when the whole loop is under {@link #MIN_PARALLEL_FLOPS}, else split into
     * {@link #PARTS_PER_THREAD} ranges per thread (or the count the pool was made with).
     */
    void forRange(int n, long flops, RangeBody body) {
        if (flops < MIN_PARALLEL_FLOPS) {
            if (n > 0) {
                body.run(0, n);
            }
            return;
        }
        forRange(n, threads * partsPerThread, body);
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) {
            LockSupport.unpark(w.thread);
        }
    }

    /**
     * One call's ranges, split into one contiguous segment per thread (caller 0, workers 1..). A thread claims its own
     * segment's ranges front to back, so it streams its rows in one run, as the hardware prefetcher follows best;
     * then it takes ranges from the back of the other segments (a late or slow thread's share), one at a time. Each
     * segment is one long: front index (high 32 bits), back index (low 32), ranges {@code [front, back)} unclaimed.
     */
    private static final class Job {
        final RangeBody body;
        final int n;
        final int parts;
        final Thread caller;
        final AtomicLongArray segments;
        final AtomicInteger done = new AtomicInteger();
        /** The first range's failure, rethrown to the caller. */
        volatile Throwable failure;

        Job(RangeBody body, int n, int parts, Thread caller, int threads) {
            this.body = body;
            this.n = n;
            this.parts = parts;
            this.caller = caller;
            this.segments = new AtomicLongArray(threads);
            for (int s = 0; s < threads; s++) {
                long front = (long) parts * s / threads;
                long back = (long) parts * (s + 1) / threads;
                segments.set(s, front << 32 | back);
            }
        }

        /** Runs ranges as thread {@code slot} until none is left in any segment. */
        void work(int slot) {
            int threads = segments.length();
            for (int p = claim(slot, true); p >= 0; p = claim(slot, true)) {
                run(p);
            }
            for (int i = 1; i < threads; i++) {
                int other = (slot + i) % threads;
                for (int p = claim(other, false); p >= 0; p = claim(other, false)) {
                    run(p);
                }
            }
        }

        /** The front (or back) unclaimed range of segment s, now claimed, or -1 when it has none left. */
        private int claim(int s, boolean front) {
            while (true) {
                long v = segments.get(s);
                int lo = (int) (v >>> 32);
                int hi = (int) v;
                if (lo >= hi) {
                    return -1;
                }
                long claimed = front ? (long) (lo + 1) << 32 | hi : (long) lo << 32 | (hi - 1);
                if (segments.compareAndSet(s, v, claimed)) {
                    return front ? lo : hi - 1;
                }
            }
        }

        private void run(int p) {
            int from = (int) ((long) n * p / parts);
            int to = (int) ((long) n * (p + 1) / parts);
            try {
                body.run(from, to);
            } catch (Throwable e) {
                synchronized (this) {
                    if (failure == null) {
                        failure = e;
                    }
                }
            }
            if (done.incrementAndGet() == parts) {
                LockSupport.unpark(caller);
            }
        }
    }

    private final class Worker implements Runnable {
        /** This worker's segment of every job (the caller's is 0). */
        final int slot;
        Thread thread;
        /** Set before a worker parks, so a new job unparks it (and only then). */
        volatile boolean parked;

        Worker(int slot) {
            this.slot = slot;
        }

        @Override
        public void run() {
            long seen = generation;
            while (!closed) {
                long deadline = System.nanoTime() + SPIN_NANOS;
                while (generation == seen && !closed) {
                    if (System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        if (generation == seen && !closed) { // re-read after the flag: no job is missed
                            LockSupport.park(this);
                        }
                        parked = false;
                        deadline = System.nanoTime() + SPIN_NANOS;
                    }
                }
                if (closed) {
                    return;
                }
                seen = generation;
                Job j = job;
                if (j != null) {
                    j.work(slot);
                }
            }
        }
    }
}
