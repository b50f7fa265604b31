package io.starspark.kernels;

import java.util.List;

/**
 * The transformer layers of one model as a device backend needs them to run a block of tokens through all of
 * them ({@link BlockForward}): shapes and the layers' weights. Holds references only (no copies).
 *
 * @param dim     width of the residual stream
 * @param heads   query heads; kvHeads divides it (GQA)
 * @param headDim width of a head
 * @param ffnDim  width of the feed-forward hidden layer
 * @param eps     RMSNorm epsilon
 * @param rope    rotary embedding of Q and K
 */
public record LayerStack(int dim, int heads, int kvHeads, int headDim, int ffnDim, float eps, Rope rope,
                         List<Layer> layers) {

    /**
     * One layer. Matrices are {@code W[out][in]}.
     *
     * @param attnNorm [dim]; wq [heads·headDim][dim]; wk, wv [kvHeads·headDim][dim]; wo [dim][heads·headDim]
     * @param bq [heads·headDim] or null; bk, bv [kvHeads·headDim] or null
     * @param qNorm, kNorm [headDim] per-head RMSNorm weights before RoPE, or null
     * @param ffnNorm [dim]; gate, up [ffn][dim]; down [dim][ffn]
     */
    public record Layer(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {
        /** The seven matrices in upload order: wq, wk, wv, wo, gate, up, down. */
        public Matrix[] matrices() {
            return new Matrix[] {wq, wk, wv, wo, gate, up, down};
        }
    }

    public LayerStack {
        if (layers.isEmpty() || heads % kvHeads != 0) {
            throw new IllegalArgumentException("a layer stack needs layers and heads (" + heads
                    + ") a multiple of kvHeads (" + kvHeads + ")");
        }
        layers = List.copyOf(layers);
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }
}
