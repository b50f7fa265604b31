package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles the single-token (decode) paths in a background thread while a prompt's forward pass runs, so a fresh
 * JVM's first decode steps run compiled code. A prompt's pass uses the GEMM and the blockwise attention; the first
 * decode step is the first call of {@link Gemv} and {@link DecodeAttention}, whose Vector API code runs 100–500×
 * slower before C2 compiles it (a Q8_0 GEMV row: ~35 ns per weight under C1 against ~0.07 ns compiled;
 * {@code GemvBench} with {@code -XX:TieredStopAtLevel=1}). A cold 110m q8_0 run spent ~1.2 s of its first 16 decode
 * steps there ({@code ColdTrace}).
 * <p>
 * For each kind of weight matrix (class and block type) the thread runs {@link Gemv#rows} on the first rows of one
 * real matrix of that kind, and {@link DecodeAttention} once per K/V dtype and head shape on a small synthetic
 * cache: enough calls back to back for the JIT's thresholds, then one call per {@link #POLL_MS} while C2
 * compiles, until a call runs at compiled speed (thread CPU time under {@link #FAST_NS_PER_WEIGHT} per weight, or
 * {@link #FAST_NS_PER_KEY} per head and key, twice in a row) or {@link #BUDGET_NS} of its CPU time is spent. It only
 * reads the model's weights and writes its own buffers, so it changes no result. Each kind is warmed once per JVM
 * (the JIT's code is the JVM's): a warm executor starts no thread.
 */
final class DecodeWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(DecodeWarmUp.class);
    /** Compiled code runs a decode GEMV at ≤ ~0.3 ns per weight (Q4_K, the slowest); C1's takes ≥ ~10 (F32). */
    static final double FAST_NS_PER_WEIGHT = 1.0;
    /** Compiled decode attention takes ~15–60 ns per (head, key); C1's takes microseconds. */
    static final double FAST_NS_PER_KEY = 200.0;
    /** The most thread CPU time one kind may take (a slow or very busy machine). */
    static final long BUDGET_NS = 1_000_000_000L;
    /** The most wall time one kind may take. */
    static final long WALL_NS = 10_000_000_000L;
    /** Rows of a matrix per GEMV call. */
    static final int ROWS = 16;
    /**
     * Calls run back to back before the thread starts waiting for the compiler: enough invocations and loop
     * iterations of the inner methods for C2's thresholds (HotSpot's Tier4 thresholds: 5,000 invocations, or
     * 15,000 invocations and loop back-edges).
     */
    static final int GEMV_CALLS = 300;
    /** Attention calls back to back: at least this many, and enough for this many (head, block of 16 keys) pairs. */
    static final int ATTENTION_CALLS = 100;
    static final int ATTENTION_HEAD_BLOCKS = 12_000;
    /** Between slow calls after those, the thread sleeps this long: C2 compiles on its own threads meanwhile. */
    static final long POLL_MS = 10;
    /** Keys of the synthetic cache: 8 whole blocks of 16 and a partial one. */
    static final int KEYS = 8 * 16 + 3;

    /** Kinds already warmed (or being warmed) in this JVM. */
    private static final Set<String> STARTED = ConcurrentHashMap.newKeySet();

    private DecodeWarmUp() {
    }

    /** One thing to warm: its kind, and a batch that returns how many weights or (head, key) pairs it ran. */
    record Task(String kind, double fastNsPerUnit, int calls, IntSupplier batch) {
    }

    /**
     * Starts the warm-up of what is not warm yet in this JVM; returns the thread, or null when everything was.
     */
    static Thread start(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv) {
        List<Task> tasks = tasks(weights, heads, kvHeads, headDim, kv, STARTED::add);
        if (tasks.isEmpty()) {
            return null;
        }
        Thread t = new Thread(() -> run(tasks), "starspark-decode-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
        return t;
    }

    /**
     * The tasks for these weights (one per kind) and this attention shape, of the kinds {@code wanted} accepts
     * (asked once per kind, before its buffers are made: a warm JVM allocates nothing).
     */
    static List<Task> tasks(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv,
                            Predicate<String> wanted) {
        Map<String, Matrix> byKind = new LinkedHashMap<>();
        for (Matrix w : weights) {
            byKind.putIfAbsent("gemv " + kind(w), w);
        }
        byKind.keySet().removeIf(kind -> !wanted.test(kind));
        List<Task> tasks = new ArrayList<>();
        Scratch scratch = new Scratch();
        byKind.forEach((kind, w) -> {
            int rows = Math.min(ROWS, w.rows());
            float[] x = new float[w.cols()];
            for (int i = 0; i < x.length; i++) {
                x[i] = ((i * 37) % 17 - 8) / 8f;
            }
            float[] out = new float[rows]; // one token: Gemv.rows writes out[r] for r < rows
            tasks.add(new Task(kind, FAST_NS_PER_WEIGHT, GEMV_CALLS, () -> {
                Gemv.rows(out, GemvInput.of(x, 1, x.length, new Matrix[] {w}, scratch), w, 0, rows, scratch);
                return rows * w.cols();
            }));
        });
        AttentionShape s = AttentionShape.full(1, KEYS, heads, kvHeads, headDim);
        String attention = "attention " + kv + " " + heads + "/" + kvHeads + "x" + headDim;
        if (DecodeAttention.applies(s) && (kv == KvDtype.F32 || DecodeAttention.appliesHalves(s))
                && wanted.test(attention)) {
            float[] q = new float[heads * headDim];
            float[] k = new float[KEYS * kvHeads * headDim];
            float[] v = new float[k.length];
            for (int i = 0; i < k.length; i++) {
                k[i] = ((i * 13) % 11 - 5) / 16f;
                v[i] = ((i * 7) % 9 - 4) / 8f;
            }
            for (int i = 0; i < q.length; i++) {
                q[i] = ((i * 5) % 7 - 3) / 4f;
            }
            short[] hk = kv == KvDtype.F16 ? halves(k) : null;
            short[] hv = kv == KvDtype.F16 ? halves(v) : null;
            float[] out = new float[heads * headDim];
            float[] lse = new float[heads];
            Parallel inline = new Parallel(1);
            ThreadLocal<Scratch> own = ThreadLocal.withInitial(Scratch::new);
            tasks.add(new Task(attention, FAST_NS_PER_KEY,
                    Math.max(ATTENTION_CALLS, ATTENTION_HEAD_BLOCKS / (heads * ((KEYS + 15) / 16))),
                    () -> {
                if (hk != null) {
                    DecodeAttention.attention(s, q, hk, hv, out, lse, inline, own);
                } else {
                    DecodeAttention.attention(s, q, k, v, out, lse, inline, own);
                }
                return heads * KEYS;
            }));
        }
        return tasks;
    }

    private static short[] halves(float[] f) {
        short[] h = new short[f.length];
        Half.toHalves(f, 0, h, 0, f.length);
        return h;
    }

    /** A matrix's kind: its class, and its block type for the block types. */
    static String kind(Matrix w) {
        if (w instanceof Q8Matrix q && q.tiled()) {
            return "Q8Matrix tiled"; // Gemv's chunk loop and carried accumulators: a path of its own to compile
        }
        return w instanceof BlockMatrix b ? b.type().toString() : w.getClass().getSimpleName();
    }

    /**
     * Runs each task's calls: {@link Task#calls} back to back, then one per {@link #POLL_MS} until two in a row are
     * fast, or its budget is spent; logs and returns what it took.
     */
    static String run(List<Task> tasks) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long w0 = System.nanoTime();
        StringBuilder done = new StringBuilder();
        for (Task t : tasks) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            int fast = 0;
            int calls = 0;
            while (fast < 2 && mx.getCurrentThreadCpuTime() - c0 < BUDGET_NS && System.nanoTime() - t0 < WALL_NS) {
                long b0 = mx.getCurrentThreadCpuTime();
                int units = t.batch().getAsInt();
                calls++;
                long took = mx.getCurrentThreadCpuTime() - b0;
                fast = (double) took / units < t.fastNsPerUnit() ? fast + 1 : 0;
                if (fast == 0 && calls >= t.calls()) {
                    LockSupport.parkNanos(POLL_MS * 1_000_000);
                }
            }
            done.append(String.format(Locale.ROOT, "%s%s %s after %d calls, %.0f ms CPU", done.length() == 0 ? "" : "; ",
                    t.kind(), fast >= 2 ? "compiled" : "not yet compiled", calls,
                    (mx.getCurrentThreadCpuTime() - c0) / 1e6));
        }
        String summary = String.format(Locale.ROOT, "decode paths warmed in the background in %d ms: %s",
                (System.nanoTime() - w0) / 1_000_000, done);
        LOG.info("kernels: {}", summary);
        return summary;
    }
}
