package io.starspark.kv;

/**
 * The kept K/V of one block, as a phase-1 task produced them.
 *
 * @param tokens number of block tokens (rows)
 * @param k      per layer {@code [tokens][kvHeads][headDim]}, keys after RoPE
 * @param v      per layer {@code [tokens][kvHeads][headDim]}
 */
public record BlockKv(int tokens, float[][] k, float[][] v) {

    public BlockKv {
        if (tokens < 1) {
            throw new IllegalArgumentException("a block holds at least one token (got " + tokens + ")");
        }
        if (k == null || v == null || k.length != v.length) {
            throw new IllegalArgumentException("k and v need one array per layer each");
        }
    }

    void requireFits(KvLayout layout) {
        if (k.length != layout.layers()) {
            throw new IllegalArgumentException("block has " + k.length + " layers, layout " + layout.layers());
        }
        long expected = (long) tokens * layout.rowFloats();
        for (int l = 0; l < k.length; l++) {
            if (k[l].length != expected || v[l].length != expected) {
                throw new IllegalArgumentException("layer " + l + " k/v hold " + k[l].length + "/" + v[l].length
                        + " floats, expected tokens*kvHeads*headDim = " + expected);
            }
        }
    }
}
