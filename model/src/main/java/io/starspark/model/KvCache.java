package io.starspark.model;

import java.util.Arrays;

/**
 * Per-request keys and values of every layer, {@code [length][kvHeads][headDim]} per layer
 * (keys after RoPE). Grows by doubling. Mutable; not thread-safe.
 * During a forward pass layers are appended one after another; {@link #length()} counts rows
 * present in every layer.
 */
public final class KvCache {
    private final int kvHeads;
    private final int headDim;
    private final float[][] k; // [layers][capacity][kvHeads][headDim]
    private final float[][] v; // [layers][capacity][kvHeads][headDim]
    private final int[] lengths; // [layers]

    public KvCache(int layers, int kvHeads, int headDim) {
        this(layers, kvHeads, headDim, 16);
    }

    public KvCache(int layers, int kvHeads, int headDim, int initialRows) {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || initialRows < 0) {
            throw new IllegalArgumentException("layers, kvHeads, headDim must be positive and initialRows >= 0 (got "
                + layers + ", " + kvHeads + ", " + headDim + ", " + initialRows + ")");
        }
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.k = new float[layers][initialRows * kvHeads * headDim];
        this.v = new float[layers][initialRows * kvHeads * headDim];
        this.lengths = new int[layers];
    }

    /** An empty cache shaped for {@code c}. */
    public static KvCache forModel(LlamaConfig c) {
        return new KvCache(c.layers(), c.kvHeads(), c.headDim());
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
     * Appends {@code tokens} rows to {@code layer}.
     *
     * @param kRows, vRows [tokens][kvHeads][headDim]
     */
    public void append(int layer, float[] kRows, float[] vRows, int tokens) {
        int row = kvHeads * headDim;
        int at = lengths[layer] * row;
        int n = tokens * row;
        ensureCapacity(layer, at + n);
        System.arraycopy(kRows, 0, k[layer], at, n);
        System.arraycopy(vRows, 0, v[layer], at, n);
        lengths[layer] += tokens;
    }

    private void ensureCapacity(int layer, int needed) {
        if (k[layer].length < needed) {
            int cap = Math.max(needed, 2 * k[layer].length);
            k[layer] = Arrays.copyOf(k[layer], cap);
            v[layer] = Arrays.copyOf(v[layer], cap);
        }
    }

    /** Backing keys of {@code layer}: {@code [capacity][kvHeads][headDim]}, first {@code length(layer)} rows valid. No copy. */
    public float[] keys(int layer) {
        return k[layer];
    }

    /** Backing values of {@code layer}, laid out like {@link #keys}. No copy. */
    public float[] values(int layer) {
        return v[layer];
    }

    /** A new cache holding copies of rows {@code [from, to)} of every layer. */
    public KvCache slice(int from, int to) {
        int len = length();
        if (from < 0 || to < from || to > len) {
            throw new IllegalArgumentException("slice [" + from + ", " + to + ") out of range [0, " + len + "]");
        }
        int row = kvHeads * headDim;
        KvCache out = new KvCache(layers(), kvHeads, headDim, to - from);
        for (int l = 0; l < layers(); l++) {
            System.arraycopy(k[l], from * row, out.k[l], 0, (to - from) * row);
            System.arraycopy(v[l], from * row, out.v[l], 0, (to - from) * row);
            out.lengths[l] = to - from;
        }
        return out;
    }
}
