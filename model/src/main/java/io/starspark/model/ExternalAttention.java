package io.starspark.model;

/**
 * Attention over keys held outside the forward pass's {@link KvCache} (context K/V in a store,
 * on executors, selected pages...). Merged exactly with the cache's attention by LSE.
 */
@FunctionalInterface
public interface ExternalAttention {
    /**
     * @param q [tokens][heads][headDim], after RoPE; scratch of the caller, do not keep it
     * @return the partial over the external keys, or null when there are none
     */
    Partial attend(int layer, float[] q, int tokens);
}
