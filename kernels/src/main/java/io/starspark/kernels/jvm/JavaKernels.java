package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Rope;
import io.starspark.kernels.Shapes;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Fast pure-Java backend: cache-blocked matmul and flash-style attention on
 * {@code jdk.incubator.vector}, multi-threaded on a private pool. Safe for concurrent callers:
 * scratch buffers are per thread, the pool is shared, nothing else is mutable.
 */
public final class JavaKernels implements Kernels, AutoCloseable {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private final Parallel par;
    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
    public JavaKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    public JavaKernels(int threads) {
        this.par = new Parallel(threads);
    }

    /** Kernel loops split into {@code partsPerThread} ranges per thread ({@link Parallel#PARTS_PER_THREAD}; benchmarks). */
    JavaKernels(int threads, int partsPerThread) {
        this.par = new Parallel(threads, partsPerThread);
    }

    /** Starts {@link DecodeWarmUp} for what is not compiled yet in this JVM. */
    @Override
    public void prepareDecode(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv) {
        DecodeWarmUp.start(weights, heads, kvHeads, headDim, kv);
    }

    public int threads() {
        return par.threads();
    }

    /** Vector width in floats, as the JIT uses it here. */
    public static int vectorLanes() {
        return VL;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        Shapes.matmul(out, x, w, tokens);
        JavaMatmul.matmul(out, x, w, tokens, par, scratch);
    }

    @Override
    public void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
        Shapes.matmuls(outs, x, ws, tokens);
        JavaMatmul.matmuls(outs, x, ws, tokens, par, scratch);
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        Shapes.rmsnorm(out, x, weight, tokens, dim);
        par.forRange(tokens, 3L * tokens * dim, (t0, t1) -> {
            for (int t = t0; t < t1; t++) {
                int base = t * dim;
                float ss = JavaMatmul.dot(x, base, x, base, dim);
                float inv = (float) (1.0 / Math.sqrt((double) ss / dim + eps));
                int i = 0;
                for (; i + VL <= dim; i += VL) {
                    FloatVector.fromArray(S, x, base + i).mul(inv).mul(FloatVector.fromArray(S, weight, i))
                            .intoArray(out, base + i);
                }
                for (; i < dim; i++) {
                    out[base + i] = x[base + i] * inv * weight[i];
                }
            }
        });
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        Shapes.rope(x, tokens, heads, headDim, positions, rope);
        int pairs = rope.pairs();
        double[] freq = new double[pairs];
        for (int i = 0; i < pairs; i++) {
            freq[i] = rope.frequency(i);
        }
        // per token: a cosine and a sine per pair (~40 FLOPs each), 6 FLOPs per rotated pair of every head
        par.forRange(tokens, (long) tokens * pairs * (80 + 6L * heads), (t0, t1) -> {
            float[] cs = scratch.get().row(2 * pairs); // [pairs][cos, sin]
            for (int t = t0; t < t1; t++) {
                for (int i = 0; i < pairs; i++) {
                    double angle = positions[t] * freq[i];
                    cs[2 * i] = (float) Math.cos(angle);
                    cs[2 * i + 1] = (float) Math.sin(angle);
                }
                for (int h = 0; h < heads; h++) {
                    int base = (t * heads + h) * headDim;
                    for (int i = 0; i < pairs; i++) {
                        int ia = base + rope.first(i);
                        int ib = base + rope.second(i);
                        float a = x[ia];
                        float b = x[ib];
                        x[ia] = a * cs[2 * i] - b * cs[2 * i + 1];
                        x[ib] = a * cs[2 * i + 1] + b * cs[2 * i];
                    }
                }
            }
        });
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        Shapes.swiglu(out, gate, up, n);
        // spans of SWIGLU_SPAN values (a multiple of VL): only the last span has a scalar tail, the same values as
        // in one span, so every value's bits are the same on any split
        int spans = (n + SWIGLU_SPAN - 1) / SWIGLU_SPAN;
        par.forRange(spans, 24L * n, (s0, s1) -> swiglu(out, gate, up, s0 * SWIGLU_SPAN, Math.min(n, s1 * SWIGLU_SPAN)));
    }

    /** Values per parallel span of {@link #swiglu(float[], float[], float[], int)}: a multiple of the lane count. */
    static final int SWIGLU_SPAN = 256 * VL;

    private static void swiglu(float[] out, float[] gate, float[] up, int from, int to) {
        int i = from;
        for (; i + VL <= to; i += VL) {
            FloatVector g = FloatVector.fromArray(S, gate, i);
            FloatVector silu = g.div(VectorExp.exp(g.neg(), S).add(1f));
            silu.mul(FloatVector.fromArray(S, up, i)).intoArray(out, i);
        }
        for (; i < to; i++) {
            float g = gate[i];
            out[i] = g / (VectorExp.exp(-g) + 1f) * up[i];
        }
    }

    @Override
    public void attention(AttentionShape shape, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        if (DecodeAttention.applies(shape)) {
            DecodeAttention.attention(shape, q, k, v, out, lse, par, scratch);
            return;
        }
        JavaAttention.attention(shape, q, k, v, out, lse, par, scratch);
    }

    /** A decode step reads the halves in place ({@link DecodeAttention}); other shapes convert first. */
    @Override
    public void attention(AttentionShape shape, float[] q, short[] k, short[] v, float[] out, float[] lse) {
        if (DecodeAttention.appliesHalves(shape)) {
            DecodeAttention.attention(shape, q, k, v, out, lse, par, scratch);
            return;
        }
        Kernels.super.attention(shape, q, k, v, out, lse);
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        Shapes.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        int group = heads / kvHeads;
        par.forRange(tokens * pages, 4L * tokens * pages * heads * headDim, (a, b) -> {
            for (int tp = a; tp < b; tp++) {
                int t = tp / pages;
                int p = tp % pages;
                for (int h = 0; h < heads; h++) {
                    int qBase = (t * heads + h) * headDim;
                    int pBase = (p * kvHeads + h / group) * headDim;
                    scores[tp * heads + h] = bound(q, qBase, pageMin, pageMax, pBase, headDim);
                }
            }
        });
    }

    /** Σ_c max(q_c·min_c, q_c·max_c). */
    private static float bound(float[] q, int qBase, float[] min, float[] max, int pBase, int n) {
        FloatVector acc = FloatVector.zero(S);
        int c = 0;
        for (; c + VL <= n; c += VL) {
            FloatVector qv = FloatVector.fromArray(S, q, qBase + c);
            acc = acc.add(qv.mul(FloatVector.fromArray(S, min, pBase + c))
                    .max(qv.mul(FloatVector.fromArray(S, max, pBase + c))));
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; c < n; c++) {
            float qc = q[qBase + c];
            sum += Math.max(qc * min[pBase + c], qc * max[pBase + c]);
        }
        return sum;
    }

    @Override
    public void close() {
        par.close();
    }
}
