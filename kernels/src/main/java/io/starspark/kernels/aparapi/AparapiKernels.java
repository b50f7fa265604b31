package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.kernel.KernelManager;
import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Rope;
import io.starspark.kernels.Shapes;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Kernels on OpenCL through Aparapi: PoCL on CPU in CI, a GPU where OpenCL lists one. Every
 * execute is checked to have run on OpenCL (Aparapi's fallback to Java threads is silent and was
 * wrong, PLATFORM.md); a fallback throws. One instance per kernel class per backend; calls of the
 * same kernel are serialised on it. Non-F32 weights (F16, Q8_0, the block types) are widened to F32
 * through {@link Matrix#loadRow} once per Matrix and cached
 * (weakly, by matrix identity): OpenCL kernels here read float arrays only.
 */
public final class AparapiKernels implements Kernels, AutoCloseable {
    private final OpenCLDevice device;
    private final MatmulKernel matmul = new MatmulKernel();
    private final RmsnormKernel rmsnorm = new RmsnormKernel();
    private final RopeKernel rope = new RopeKernel();
    private final SwigluKernel swiglu = new SwigluKernel();
    private final AttentionKernel attention = new AttentionKernel();
    private final ScorePagesKernel scorePages = new ScorePagesKernel();
    private final Map<Matrix, float[]> widened = Collections.synchronizedMap(new WeakHashMap<>());

    private AparapiKernels(OpenCLDevice device) {
        this.device = device;
        LinkedHashSet<com.aparapi.device.Device> only = new LinkedHashSet<>();
        only.add(device);
        for (Kernel k : new Kernel[] {matmul, rmsnorm, rope, swiglu, attention, scorePages}) {
            KernelManager.instance().setPreferredDevices(k, only);
        }
    }

    /** On the JVM's OpenCL device; throws IllegalStateException naming the problem when there is none. */
    public static AparapiKernels create() {
        return new AparapiKernels(OpenClDevices.device());
    }

    public String deviceName() {
        return OpenClDevices.describe(device);
    }

    @Override
    public String name() {
        return "aparapi-opencl";
    }

    private void execute(Kernel k, int n) {
        k.execute(device.createRange(n));
        if (!k.isRunningCL() || k.getTargetDevice() != device) {
            throw new IllegalStateException("aparapi kernel " + k.getClass().getSimpleName()
                    + " did not run on OpenCL device " + deviceName() + " (ran on " + k.getTargetDevice()
                    + "); see Aparapi's warning above for why it fell back");
        }
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        Shapes.matmul(out, x, w, tokens);
        float[] wf = w instanceof F32Matrix f ? f.data() : widened.computeIfAbsent(w, AparapiKernels::widen);
        synchronized (matmul) {
            matmul.out = out;
            matmul.x = x;
            matmul.w = wf;
            matmul.rows = w.rows();
            matmul.cols = w.cols();
            execute(matmul, tokens * w.rows());
            matmul.out = null;
            matmul.x = null;
            matmul.w = null;
        }
    }

    private static float[] widen(Matrix w) {
        float[] f = new float[w.rows() * w.cols()];
        for (int r = 0; r < w.rows(); r++) {
            w.loadRow(r, f, r * w.cols());
        }
        return f;
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        Shapes.rmsnorm(out, x, weight, tokens, dim);
        synchronized (rmsnorm) {
            rmsnorm.out = out;
            rmsnorm.x = x;
            rmsnorm.weight = weight;
            rmsnorm.dim = dim;
            rmsnorm.eps = eps;
            execute(rmsnorm, tokens);
            rmsnorm.out = null;
            rmsnorm.x = null;
            rmsnorm.weight = null;
        }
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope spec) {
        Shapes.rope(x, tokens, heads, headDim, positions, spec);
        int pairs = spec.pairs();
        float[] cos = new float[tokens * pairs];
        float[] sin = new float[tokens * pairs];
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < pairs; i++) {
                double angle = positions[t] * spec.frequency(i);
                cos[t * pairs + i] = (float) Math.cos(angle);
                sin[t * pairs + i] = (float) Math.sin(angle);
            }
        }
        synchronized (rope) {
            rope.x = x;
            rope.cos = cos;
            rope.sin = sin;
            rope.heads = heads;
            rope.headDim = headDim;
            rope.pairs = pairs;
            rope.pairStride = spec.style() == Rope.Style.ADJACENT ? 2 : 1;
            rope.partnerOffset = spec.second(0) - spec.first(0);
            execute(rope, tokens * heads * pairs);
            rope.x = null;
            rope.cos = null;
            rope.sin = null;
        }
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        Shapes.swiglu(out, gate, up, n);
        synchronized (swiglu) {
            swiglu.out = out;
            swiglu.gate = gate;
            swiglu.up = up;
            execute(swiglu, n);
            swiglu.out = null;
            swiglu.gate = null;
            swiglu.up = null;
        }
    }

    @Override
    public void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        s.check(q, k, v, out, lse);
        int rows = s.tokens() * s.heads();
        if (s.visibleKeys(s.tokens() - 1) == 0) {
            // no query sees a key (also keys == 0): nothing for the device to do
            Arrays.fill(out, 0, rows * s.headDim(), 0f);
            Arrays.fill(lse, 0, rows, Float.NEGATIVE_INFINITY);
            return;
        }
        synchronized (attention) {
            attention.q = q;
            attention.k = k;
            attention.v = v;
            attention.out = out;
            attention.lse = lse;
            attention.heads = s.heads();
            attention.kvHeads = s.kvHeads();
            attention.headDim = s.headDim();
            attention.keys = s.keys();
            attention.causalOffset = s.causalOffset();
            attention.scale = (float) (1.0 / Math.sqrt(s.headDim()));
            execute(attention, rows);
            attention.q = null;
            attention.k = null;
            attention.v = null;
            attention.out = null;
            attention.lse = null;
        }
        for (int t = 0; t < s.tokens() && s.visibleKeys(t) == 0; t++) {
            Arrays.fill(lse, t * s.heads(), (t + 1) * s.heads(), Float.NEGATIVE_INFINITY);
        }
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        Shapes.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        synchronized (scorePages) {
            scorePages.q = q;
            scorePages.pageMin = pageMin;
            scorePages.pageMax = pageMax;
            scorePages.scores = scores;
            scorePages.pages = pages;
            scorePages.heads = heads;
            scorePages.kvHeads = kvHeads;
            scorePages.headDim = headDim;
            execute(scorePages, tokens * pages * heads);
            scorePages.q = null;
            scorePages.pageMin = null;
            scorePages.pageMax = null;
            scorePages.scores = null;
        }
    }

    @Override
    public void close() {
        for (Kernel k : new Kernel[] {matmul, rmsnorm, rope, swiglu, attention, scorePages}) {
            synchronized (k) {
                k.dispose();
            }
        }
    }
}
