package io.starspark.kernels;

/**
 * Shape of one attention call.
 *
 * <pre>
 * q:   [tokens][heads][headDim]     (already RoPE-rotated)
 * k,v: [keys][kvHeads][headDim]     (k already RoPE-rotated)
 * out: [tokens][heads][headDim]
 * lse: [tokens][heads]              natural-log sum of exp(score) over the visible keys
 * </pre>
 *
 * Query {@code t} sees key {@code s} iff {@code s <= t + causalOffset}. With keys = earlier
 * keys followed by the queries' own keys, {@code causalOffset = keys - tokens} is causal
 * attention; {@code causalOffset >= keys - 1} makes every key visible (partials over context).
 * Head {@code h} reads KV head {@code h / (heads / kvHeads)} (grouped-query attention).
 * Score = {@code q.k / sqrt(headDim)}. A query that sees no key gets out = 0, lse = -inf.
 */
public record AttentionShape(int tokens, int keys, int heads, int kvHeads, int headDim, int causalOffset) {
    public AttentionShape {
        Shapes.requirePositive("tokens", tokens);
        if (keys < 0) {
            throw new IllegalArgumentException("keys must be >= 0 (got " + keys + ")");
        }
        Shapes.requirePositive("heads", heads);
        Shapes.requirePositive("kvHeads", kvHeads);
        Shapes.requirePositive("headDim", headDim);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
    }

    /** Every key visible to every query (a partial over context keys). */
    public static AttentionShape full(int tokens, int keys, int heads, int kvHeads, int headDim) {
        return new AttentionShape(tokens, keys, heads, kvHeads, headDim, Math.max(keys - 1, 0));
    }

    /** Keys end with the queries' own keys; causal among them, everything before visible. */
    public static AttentionShape causal(int tokens, int keys, int heads, int kvHeads, int headDim) {
        return new AttentionShape(tokens, keys, heads, kvHeads, headDim, keys - tokens);
    }

    public int groupSize() {
        return heads / kvHeads;
    }

    /** Number of keys query {@code t} sees (a prefix of the keys). */
    public int visibleKeys(int t) {
        long last = (long) t + causalOffset;
        return (int) Math.max(0, Math.min(keys, last + 1));
    }

    public void check(float[] q, float[] k, float[] v, float[] out, float[] lse) {
        check(q, k.length, v.length, out, lse);
    }

    /** {@link #check} of keys and values held as halves. */
    public void check(float[] q, short[] k, short[] v, float[] out, float[] lse) {
        check(q, k.length, v.length, out, lse);
    }

    private void check(float[] q, int kLength, int vLength, float[] out, float[] lse) {
        long qn = (long) tokens * heads * headDim;
        long kn = (long) keys * kvHeads * headDim;
        Shapes.requireAtLeast("q", q.length, qn);
        Shapes.requireAtLeast("k", kLength, kn);
        Shapes.requireAtLeast("v", vLength, kn);
        Shapes.requireAtLeast("out", out.length, qn);
        Shapes.requireAtLeast("lse", lse.length, (long) tokens * heads);
    }
}
