package io.starspark.model;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Half;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import java.util.Arrays;

/**
 * Per-request keys and values of every layer, {@code [length][kvHeads][headDim]} per layer
 * (keys after RoPE), held as floats ({@link KvDtype#F32}) or as IEEE-754 halves ({@link KvDtype#F16}, llama.cpp's
 * default: half the bytes a decode step streams; every attention reads the rounded values). Grows by doubling.
 * Mutable; not thread-safe. During a forward pass layers are appended one after another; {@link #length()} counts
 * rows present in every layer.
 */
public final class KvCache {
    /** The largest finite half: a key or value beyond it would become an infinity in an F16 cache. */
    private static final float HALF_MAX = 65504f;
    private final int kvHeads;
    private final int headDim;
    private final KvDtype dtype;
    private final float[][] k;  // F32: [layers][capacity][kvHeads][headDim], else null
    private final float[][] v;  // F32: [layers][capacity][kvHeads][headDim], else null
    private final short[][] hk; // F16: [layers][capacity][kvHeads][headDim], else null
    private final short[][] hv; // F16: [layers][capacity][kvHeads][headDim], else null
    private final int[] lengths; // [layers]

    public KvCache(int layers, int kvHeads, int headDim) {
        this(layers, kvHeads, headDim, 16);
    }

    public KvCache(int layers, int kvHeads, int headDim, int initialRows) {
        this(layers, kvHeads, headDim, initialRows, KvDtype.F32);
    }

    public KvCache(int layers, int kvHeads, int headDim, int initialRows, KvDtype dtype) {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || initialRows < 0 || dtype == null) {
            throw new IllegalArgumentException("layers, kvHeads, headDim must be positive, initialRows >= 0 and dtype"
                + " given (got " + layers + ", " + kvHeads + ", " + headDim + ", " + initialRows + ", " + dtype + ")");
        }
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.dtype = dtype;
        long cells = (long) initialRows * kvHeads * headDim;
        if (cells > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(initialRows + " rows of " + kvHeads + "x" + headDim + " K/V per layer exceed"
                + " one Java array (" + cells + " values)");
        }
        int n = (int) cells;
        boolean f32 = dtype == KvDtype.F32;
        this.k = f32 ? new float[layers][n] : null;
        this.v = f32 ? new float[layers][n] : null;
        this.hk = f32 ? null : new short[layers][n];
        this.hv = f32 ? null : new short[layers][n];
        this.lengths = new int[layers];
    }

    /** An empty F32 cache shaped for {@code c}. */
    public static KvCache forModel(LlamaConfig c) {
        return forModel(c, KvDtype.F32);
    }

    /** An empty cache shaped for {@code c}, holding {@code dtype}. */
    public static KvCache forModel(LlamaConfig c, KvDtype dtype) {
        return forModel(c, dtype, 16);
    }

    /**
     * An empty cache shaped for {@code c} with room for {@code rows} tokens before it grows: a request that knows its
     * length (prompt and new tokens) allocates once, instead of doubling (a 2048-token prompt's first decode step
     * would copy the whole cache into arrays twice its size).
     */
    public static KvCache forModel(LlamaConfig c, KvDtype dtype, int rows) {
        return new KvCache(c.layers(), c.kvHeads(), c.headDim(), rows, dtype);
    }

    public int layers() {
        return lengths.length;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headDim() {
        return headDim;
    }

    public KvDtype dtype() {
        return dtype;
    }

    /** Rows present in every layer. */
    public int length() {
        int n = Integer.MAX_VALUE;
        for (int len : lengths) {
            n = Math.min(n, len);
        }
        return n;
    }

    /** Rows present in {@code layer}. */
    public int length(int layer) {
        return lengths[layer];
    }

    /**
     * Appends {@code tokens} rows to {@code layer}; an F16 cache rounds them to the nearest half.
     *
     * @param kRows, vRows [tokens][kvHeads][headDim]
     * @throws ArithmeticException in an F16 cache, when a value is not finite or beyond the halves' range (±65504),
     *                             before anything is appended
     */
    public void append(int layer, float[] kRows, float[] vRows, int tokens) {
        int row = kvHeads * headDim;
        int at = lengths[layer] * row;
        int n = tokens * row;
        if (dtype == KvDtype.F32) {
            ensureCapacity(layer, at + n);
            System.arraycopy(kRows, 0, k[layer], at, n);
            System.arraycopy(vRows, 0, v[layer], at, n);
        } else {
            requireHalfRange(kRows, n, "key", layer);
            requireHalfRange(vRows, n, "value", layer);
            ensureCapacity(layer, at + n);
            Half.toHalves(kRows, 0, hk[layer], at, n);
            Half.toHalves(vRows, 0, hv[layer], at, n);
        }
        lengths[layer] += tokens;
    }

    private static void requireHalfRange(float[] a, int n, String what, int layer) {
        for (int i = 0; i < n; i++) {
            if (!(Math.abs(a[i]) <= HALF_MAX)) {
                throw new ArithmeticException("a " + what + " of layer " + layer + " is " + a[i] + ", outside the F16"
                    + " K/V cache's range (±65504); hold K/V as F32 for this model");
            }
        }
    }

    /** Appends rows {@code [from, to)} of every layer of {@code src}, a cache of the same shape and dtype, as stored. */
    public void appendRows(KvCache src, int from, int to) {
        if (src.dtype != dtype || src.kvHeads != kvHeads || src.headDim != headDim || src.layers() != layers()) {
            throw new IllegalArgumentException("rows of a " + src.dtype + " cache [" + src.layers() + "][" + src.kvHeads
                + "][" + src.headDim + "] cannot join a " + dtype + " cache [" + layers() + "][" + kvHeads + "]["
                + headDim + "]");
        }
        src.requireRows("rows", from, to);
        int row = kvHeads * headDim;
        int n = (to - from) * row;
        for (int l = 0; l < layers(); l++) {
            int at = lengths[l] * row;
            ensureCapacity(l, at + n);
            if (dtype == KvDtype.F32) {
                System.arraycopy(src.k[l], from * row, k[l], at, n);
                System.arraycopy(src.v[l], from * row, v[l], at, n);
            } else {
                System.arraycopy(src.hk[l], from * row, hk[l], at, n);
                System.arraycopy(src.hv[l], from * row, hv[l], at, n);
            }
            lengths[l] += to - from;
        }
    }

    private void ensureCapacity(int layer, int needed) {
        if (dtype == KvDtype.F32 && k[layer].length < needed) {
            int cap = Math.max(needed, 2 * k[layer].length);
            k[layer] = Arrays.copyOf(k[layer], cap);
            v[layer] = Arrays.copyOf(v[layer], cap);
        } else if (dtype == KvDtype.F16 && hk[layer].length < needed) {
            int cap = Math.max(needed, 2 * hk[layer].length);
            hk[layer] = Arrays.copyOf(hk[layer], cap);
            hv[layer] = Arrays.copyOf(hv[layer], cap);
        }
    }

    /** Attention of {@code q} over the rows of {@code layer}, in the cache's dtype ({@link Kernels#attention}). */
    public void attend(Kernels kernels, int layer, AttentionShape shape, float[] q, float[] out, float[] lse) {
        if (dtype == KvDtype.F32) {
            kernels.attention(shape, q, k[layer], v[layer], out, lse);
        } else {
            kernels.attention(shape, q, hk[layer], hv[layer], out, lse);
        }
    }

    /**
     * The keys of {@code layer} as floats, {@code [length(layer)][kvHeads][headDim]}: an F32 cache's backing array
     * (no copy; it may hold more rows than that), the halves converted for an F16 cache.
     */
    public float[] keys(int layer) {
        return dtype == KvDtype.F32 ? k[layer] : Half.toFloatArray(hk[layer], lengths[layer] * kvHeads * headDim);
    }

    /** The values of {@code layer}, as {@link #keys}. */
    public float[] values(int layer) {
        return dtype == KvDtype.F32 ? v[layer] : Half.toFloatArray(hv[layer], lengths[layer] * kvHeads * headDim);
    }

    /** Fails unless {@code [from, to)} lies within the rows every layer holds; {@code what} names the call. */
    private void requireRows(String what, int from, int to) {
        int len = length();
        if (from < 0 || to < from || to > len) {
            throw new IllegalArgumentException(what + " [" + from + ", " + to + ") out of range [0, " + len + "]");
        }
    }

    /** A new cache of the same dtype holding copies of rows {@code [from, to)} of every layer. */
    public KvCache slice(int from, int to) {
        requireRows("slice", from, to);
        KvCache out = new KvCache(layers(), kvHeads, headDim, to - from, dtype);
        out.appendRows(this, from, to);
        return out;
    }
}
