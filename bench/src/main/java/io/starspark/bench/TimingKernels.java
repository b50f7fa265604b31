package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockForward;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.LayerStack;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Rope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A {@link Kernels} decorator that adds up wall time per kernel (one nanoTime pair per call) and keeps the times of
 * each kernel's first {@link #FIRST} calls (the JIT's share in a fresh JVM, {@link ColdTrace}); a backend's
 * device-resident block forward is passed through and timed as one "block" kernel.
 */
final class TimingKernels implements Kernels {
    private static final String[] NAMES = {"matmul", "rmsnorm", "rope", "swiglu", "attention", "scorePages", "block"};
    private final Kernels inner;
    private final boolean blocks;
    /** Calls per kernel whose own times are kept. */
    static final int FIRST = 12;
    private final LongAdder[] nanos = new LongAdder[NAMES.length];
    private final long[][] firstNanos = new long[NAMES.length][FIRST];
    private final AtomicInteger[] calls = new AtomicInteger[NAMES.length];
    /** Per matmul shape ("rows×cols", or "rows+rows×cols" for {@link #matmuls}): {nanos, weight bytes, calls}. */
    private final Map<String, long[]> byShape = new java.util.concurrent.ConcurrentHashMap<>();

    TimingKernels(Kernels inner) {
        this(inner, true);
    }

    /** With {@code blocks} false the backend's block forward is hidden: every layer goes through the calls. */
    TimingKernels(Kernels inner, boolean blocks) {
        this.inner = inner;
        this.blocks = blocks;
        for (int i = 0; i < nanos.length; i++) {
            nanos[i] = new LongAdder();
            calls[i] = new AtomicInteger();
        }
    }

    /** Seconds spent per kernel since the last reset, by name. */
    Map<String, Double> seconds() {
        Map<String, Double> m = new TreeMap<>();
        for (int i = 0; i < NAMES.length; i++) {
            m.put(NAMES[i], nanos[i].sum() / 1e9);
        }
        return m;
    }

    void reset() {
        for (LongAdder a : nanos) {
            a.reset();
        }
        byShape.clear();
    }

    /** Per matmul shape since the last reset: {nanos, weight bytes, calls}, in shape order. */
    Map<String, long[]> matmulsByShape() {
        return new TreeMap<>(byShape);
    }

    private void addShape(String shape, long bytes, long t0) {
        long dt = System.nanoTime() - t0;
        byShape.compute(shape, (k, v) -> {
            long[] a = v == null ? new long[3] : v;
            a[0] += dt;
            a[1] += bytes;
            a[2]++;
            return a;
        });
    }

    /** Milliseconds of the first calls (up to {@link #FIRST}) of kernel {@code name} since this was made. */
    double[] firstCallsMs(String name) {
        int kernel = java.util.Arrays.asList(NAMES).indexOf(name);
        if (kernel < 0) {
            throw new IllegalArgumentException("no kernel " + name);
        }
        synchronized (firstNanos) {
            return java.util.Arrays.stream(firstNanos[kernel], 0, Math.min(FIRST, calls[kernel].get()))
                    .mapToDouble(n -> n / 1e6).toArray();
        }
    }

    private void add(int kernel, long t0) {
        long dt = System.nanoTime() - t0;
        nanos[kernel].add(dt);
        int call = calls[kernel].getAndIncrement();
        if (call < FIRST) {
            synchronized (firstNanos) {
                firstNanos[kernel][call] = dt;
            }
        }
    }

    @Override
    public void prepareDecode(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv) {
        inner.prepareDecode(weights, heads, kvHeads, headDim, kv);
    }

    @Override
    public Optional<BlockForward> blockForward() {
        if (!blocks) {
            return Optional.empty();
        }
        return inner.blockForward().map(device -> new BlockForward() {
            @Override
            public String unsupported(LayerStack stack, int tokens) {
                return device.unsupported(stack, tokens);
            }

            @Override
            public void run(LayerStack stack, float[] x, int tokens, int[] positions, int keepFrom, float[][] k,
                            float[][] v, boolean hiddenBack) {
                long t0 = System.nanoTime();
                device.run(stack, x, tokens, positions, keepFrom, k, v, hiddenBack);
                add(6, t0);
            }
        });
    }

    @Override
    public String name() {
        return inner.name();
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        long t0 = System.nanoTime();
        inner.matmul(out, x, w, tokens);
        add(0, t0);
        addShape(w.rows() + "×" + w.cols(), w.bytes(), t0);
    }

    @Override
    public void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
        long t0 = System.nanoTime();
        inner.matmuls(outs, x, ws, tokens);
        add(0, t0);
        StringBuilder shape = new StringBuilder();
        long bytes = 0;
        for (Matrix w : ws) {
            shape.append(shape.length() == 0 ? "" : "+").append(w.rows());
            bytes += w.bytes();
        }
        addShape(shape.append("×").append(ws[0].cols()).toString(), bytes, t0);
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        long t0 = System.nanoTime();
        inner.rmsnorm(out, x, weight, tokens, dim, eps);
        add(1, t0);
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        long t0 = System.nanoTime();
        inner.rope(x, tokens, heads, headDim, positions, rope);
        add(2, t0);
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        long t0 = System.nanoTime();
        inner.swiglu(out, gate, up, n);
        add(3, t0);
    }

    @Override
    public void attention(AttentionShape shape, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        long t0 = System.nanoTime();
        inner.attention(shape, q, k, v, out, lse);
        add(4, t0);
    }

    @Override
    public void attention(AttentionShape shape, float[] q, short[] k, short[] v, float[] out, float[] lse) {
        long t0 = System.nanoTime();
        inner.attention(shape, q, k, v, out, lse);
        add(4, t0);
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        long t0 = System.nanoTime();
        inner.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        add(5, t0);
    }
}
