package io.starspark.kernels;

/**
 * A backend's device-resident forward of a block of tokens through every layer of a {@link LayerStack}: the
 * weights are uploaded once, the activations stay on the device from the first layer to the last, and only
 * the K/V rows the caller keeps (and, when asked, the last hidden state) come back. The tokens attend causally
 * to each other only (an empty cache, no external keys: phase 1 of Star attention and a plain prefill).
 * Offered by {@link Kernels#blockForward()}; the host-array {@link Kernels} path is its fallback and reference.
 * Thread-safe; calls may be serialised on the device.
 */
public interface BlockForward {

    /** Why {@code stack} over {@code tokens} tokens cannot run here (said loudly by the caller), or null when it can. */
    String unsupported(LayerStack stack, int tokens);

    /**
     * Runs every layer over the block.
     *
     * @param x         [tokens][dim] embeddings in; when {@code hiddenBack}, the hidden state after the last
     *                  layer out (before the output norm), else left as it was
     * @param positions [tokens] RoPE positions
     * @param keepFrom  first row whose K/V come back (0 ≤ keepFrom ≤ tokens)
     * @param k         [layers][tokens − keepFrom][kvHeads][headDim] filled: keys after RoPE of rows [keepFrom, tokens)
     * @param v         [layers][tokens − keepFrom][kvHeads][headDim] filled: values of those rows
     */
    void run(LayerStack stack, float[] x, int tokens, int[] positions, int keepFrom, float[][] k, float[][] v,
             boolean hiddenBack);
}
