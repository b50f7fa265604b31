package io.starspark.model;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockForward;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.LayerStack;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Partials;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Llama forward pass over a batch of tokens at given positions. Each token attends to all
 * keys of an {@link ExternalAttention} (merged exactly by LSE), every row already in the cache,
 * and causally to the batch itself; the batch's K/V are appended to the cache.
 * Owns scratch buffers reused across calls (grown, never shrunk); one per request; not thread-safe.
 *
 * <p>When the backend offers a device-resident {@link BlockForward} (Aparapi) and the batch attends only to
 * itself (empty cache, no external keys: a prefill, phase 1 of Star attention), the layers run there with the
 * activations kept on the device; the host-array path below is the fallback and the reference.
 */
public final class Forward {
    private static final Logger LOG = LoggerFactory.getLogger(Forward.class);
    /** Each reason the device path was refused, and its first use, logged once per JVM. */
    private static final Set<String> SAID = ConcurrentHashMap.newKeySet();
    private final LlamaModel model;
    private final LlamaConfig c;
    private final Kernels kernels;
    private int capacity;
    // Scratch, all sized for `capacity` tokens:
    private float[] x;    // [T][dim] residual stream
    private float[] xb;   // [T][dim] normed input
    private float[] q;    // [T][heads][headDim]
    private float[] k;    // [T][kvHeads][headDim]
    private float[] v;    // [T][kvHeads][headDim]
    private float[] att;  // [T][heads][headDim]
    private float[] lse;  // [T][heads]
    private float[] proj; // [T][dim]
    private float[] gate; // [T][ffn]
    private float[] up;   // [T][ffn]
    private LayerStack stack; // the layers as the device path takes them, made on first use

    public Forward(LlamaModel model, Kernels kernels) {
        this.model = model;
        this.c = model.config();
        this.kernels = kernels;
    }

    /**
     * Tells the backend that single-token steps with a {@code kv} cache follow the next forward pass
     * ({@link Kernels#prepareDecode}: the model's step matrices and head shape).
     */
    public void prepareDecode(KvDtype kv) {
        kernels.prepareDecode(model.weights().stepMatrices(), c.heads(), c.kvHeads(), c.headDim(), kv);
    }

    public LlamaModel model() {
        return model;
    }

    /**
     * @param tokens    [T] token ids
     * @param positions [T] position ids (RoPE)
     * @param cache     receives the batch's K/V; its existing rows are visible to every batch token
     * @param ext       external keys visible to every batch token, or null
     * @return null, {@code [vocab]} of the last token, or {@code [T][vocab]}, per {@code which}
     */
    public float[] forward(int[] tokens, int[] positions, KvCache cache, ExternalAttention ext, Logits which) {
        return run(tokens, positions, cache, ext, which, 0);
    }

    /**
     * A block prefill that keeps only its tail: all tokens run (and attend causally to each other), but only the
     * K/V rows {@code [keepFrom, T)} are appended to {@code cache}, which must be empty (phase 1: anchor ++ block
     * keeps the block's rows). On a device backend only those rows come back from the device.
     */
    public void prefill(int[] tokens, int[] positions, int keepFrom, KvCache cache) {
        if (keepFrom < 0 || keepFrom > tokens.length || !empty(cache)) {
            throw new IllegalArgumentException("prefill keeps rows [" + keepFrom + ", " + tokens.length
                + ") into an empty cache (cache holds " + cache.length() + " rows)");
        }
        run(tokens, positions, cache, null, Logits.NONE, keepFrom);
    }

    private float[] run(int[] tokens, int[] positions, KvCache cache, ExternalAttention ext, Logits which,
                        int keepFrom) {
        int t = tokens.length;
        if (t == 0 || positions.length != t) {
            throw new IllegalArgumentException("need at least one token and one position per token (got "
                + t + " tokens, " + positions.length + " positions)");
        }
        ensureCapacity(t);
        LlamaWeights w = model.weights();
        for (int i = 0; i < t; i++) {
            embed(w.tokenEmbedding(), tokens[i], x, i * c.dim());
        }
        BlockForward device = ext == null && empty(cache) ? device(t) : null;
        if (device != null) {
            onDevice(device, positions, t, keepFrom, cache, which != Logits.NONE);
            return logits(w, t, which, positions);
        }
        KvCache into = keepFrom == 0 ? cache : new KvCache(c.layers(), c.kvHeads(), c.headDim(), t, cache.dtype());
        for (int l = 0; l < c.layers(); l++) {
            attentionBlock(l, w.layers().get(l), positions, t, into, ext);
            ffnBlock(w.layers().get(l), t);
            requireFinite(x, t * c.dim(), "the hidden state after layer " + l + " (of 0.." + (c.layers() - 1) + ")",
                positions);
        }
        if (into != cache) {
            cache.appendRows(into, keepFrom, t);
        }
        return logits(w, t, which, positions);
    }

    private static boolean empty(KvCache cache) {
        for (int l = 0; l < cache.layers(); l++) {
            if (cache.length(l) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The backend's device-resident block forward when it has one that takes this model and batch, else null. */
    private BlockForward device(int t) {
        BlockForward device = kernels.blockForward().orElse(null);
        if (device == null) {
            return null;
        }
        if (stack == null) {
            List<LayerStack.Layer> layers = new ArrayList<>();
            for (LlamaWeights.Layer l : model.weights().layers()) {
                layers.add(new LayerStack.Layer(l.attnNorm(), l.wq(), l.wk(), l.wv(), l.wo(), l.bq(), l.bk(), l.bv(),
                    l.qNorm(), l.kNorm(), l.ffnNorm(), l.gate(), l.up(), l.down()));
            }
            stack = new LayerStack(c.dim(), c.heads(), c.kvHeads(), c.headDim(), c.ffnDim(), c.rmsEps(), c.rope(),
                layers);
        }
        String why = device.unsupported(stack, t);
        if (why != null) {
            if (SAID.add(why)) {
                LOG.warn("forward: {} cannot keep this batch on the device ({}); its layers run through the"
                    + " host-array kernel calls instead", kernels.name(), why);
            }
            return null;
        }
        if (SAID.add("device " + kernels.name())) {
            LOG.info("forward: prefill blocks run through every layer on the device ({}, activations resident;"
                + " only kept K/V come back)", kernels.name());
        }
        return device;
    }

    /** Every layer on the device; the kept K/V rows into {@code cache}, the last hidden state into x when asked. */
    private void onDevice(BlockForward device, int[] positions, int t, int keepFrom, KvCache cache, boolean hidden) {
        int rows = (t - keepFrom) * c.kvDim();
        float[][] k = new float[c.layers()][rows];
        float[][] v = new float[c.layers()][rows];
        device.run(stack, x, t, positions, keepFrom, k, v, hidden);
        for (int l = 0; l < c.layers(); l++) {
            requireFinite(k[l], rows, "the keys of layer " + l, positions);
            requireFinite(v[l], rows, "the values of layer " + l, positions);
            append(cache, l, k[l], v[l], t - keepFrom, positions);
        }
    }

    private void attentionBlock(int l, LlamaWeights.Layer w, int[] positions, int t, KvCache cache,
                                ExternalAttention ext) {
        kernels.rmsnorm(xb, x, w.attnNorm(), t, c.dim(), c.rmsEps());
        kernels.matmuls(new float[][] {q, k, v}, xb, new Matrix[] {w.wq(), w.wk(), w.wv()}, t);
        addBias(q, w.bq(), t);
        addBias(k, w.bk(), t);
        addBias(v, w.bv(), t);
        headNorm(q, w.qNorm(), t * c.heads());
        headNorm(k, w.kNorm(), t * c.kvHeads());
        kernels.rope(q, t, c.heads(), c.headDim(), positions, c.rope());
        kernels.rope(k, t, c.kvHeads(), c.headDim(), positions, c.rope());
        append(cache, l, k, v, t, positions);
        int keys = cache.length(l);
        AttentionShape shape = AttentionShape.causal(t, keys, c.heads(), c.kvHeads(), c.headDim());
        cache.attend(kernels, l, shape, q, att, lse);
        if (ext != null) {
            Partial p = ext.attend(l, q, t);
            if (p != null) {
                Partials.mergeInto(att, lse, p.out(), p.lse(), t * c.heads(), c.headDim());
            }
        }
        kernels.matmul(proj, att, w.wo(), t);
        addInto(x, proj, t * c.dim());
    }

    /** {@link KvCache#append}; a value an F16 cache cannot hold fails as the model's, with the tokens' positions. */
    private void append(KvCache cache, int l, float[] kRows, float[] vRows, int t, int[] positions) {
        try {
            cache.append(l, kRows, vRows, t);
        } catch (ArithmeticException e) {
            throw new ModelFormatException(model.path(), e.getMessage() + " (tokens at positions " + positions[0] + ".."
                + positions[positions.length - 1] + ")");
        }
    }

    private void ffnBlock(LlamaWeights.Layer w, int t) {
        kernels.rmsnorm(xb, x, w.ffnNorm(), t, c.dim(), c.rmsEps());
        kernels.matmuls(new float[][] {gate, up}, xb, new Matrix[] {w.gate(), w.up()}, t);
        kernels.swiglu(gate, gate, up, t * c.ffnDim());
        kernels.matmul(proj, gate, w.down(), t);
        addInto(x, proj, t * c.dim());
    }

    /**
     * Fails when {@code a[0..n)} holds NaN or an infinity: their sum in double is then non-finite (finite floats
     * cannot overflow it), so the check costs one add per value, a vanishing part of the layer's work. A
     * non-finite value would otherwise become a wrong answer (argmax of NaN logits is token 0) with exit 0.
     */
    private void requireFinite(float[] a, int n, String what, int[] positions) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += a[i];
        }
        if (!Double.isFinite(sum)) {
            throw new ModelFormatException(model.path(), what + " is not finite (NaN or"
                + " infinity) for the tokens at positions " + positions[0] + ".." + positions[positions.length - 1]
                + "; the model's weights (or the stored K/V attended to) hold non-finite or overflowing values");
        }
    }

    private float[] logits(LlamaWeights w, int t, Logits which, int[] positions) {
        if (which == Logits.NONE) {
            return null;
        }
        int first = which == Logits.LAST ? t - 1 : 0;
        int n = t - first;
        // exactly the n rows (not the scratch xb): a device backend moves whole arrays
        float[] h = Arrays.copyOfRange(x, first * c.dim(), t * c.dim()); // [n][dim]
        kernels.rmsnorm(h, h, w.outputNorm(), n, c.dim(), c.rmsEps());
        float[] out = new float[n * c.vocabSize()]; // [n][vocab]
        kernels.matmul(out, h, w.output(), n);
        requireFinite(out, out.length, "the logits of the output layer", positions);
        return out;
    }

    private void addBias(float[] y, float[] bias, int t) {
        if (bias == null) {
            return;
        }
        for (int i = 0; i < t; i++) {
            for (int j = 0; j < bias.length; j++) {
                y[i * bias.length + j] += bias[j];
            }
        }
    }

    /** RMS-normalizes each of {@code rows} heads of {@code y} ([rows][headDim]) in place; no-op without weights. */
    private void headNorm(float[] y, float[] weight, int rows) {
        if (weight != null) {
            kernels.rmsnorm(y, y, weight, rows, c.headDim(), c.rmsEps());
        }
    }

    private static void addInto(float[] acc, float[] y, int n) {
        for (int i = 0; i < n; i++) {
            acc[i] += y[i];
        }
    }

    /** Copies embedding row {@code r} into {@code dst[off..off+cols)}. */
    static void embed(Matrix m, int r, float[] dst, int off) {
        if (r < 0 || r >= m.rows()) {
            throw new IllegalArgumentException("token id " + r + " out of range [0, " + m.rows() + ")");
        }
        m.loadRow(r, dst, off);
    }

    private void ensureCapacity(int t) {
        if (t <= capacity) {
            return;
        }
        capacity = Math.max(t, 2 * capacity);
        int n = capacity;
        x = new float[n * c.dim()];
        xb = new float[n * c.dim()];
        q = new float[n * c.qDim()];
        k = new float[n * c.kvDim()];
        v = new float[n * c.kvDim()];
        att = new float[n * c.qDim()];
        lse = new float[n * c.heads()];
        proj = new float[n * c.dim()];
        gate = new float[n * c.ffnDim()];
        up = new float[n * c.ffnDim()];
    }
}
