package io.starspark.workers;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.model.ExternalAttention;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;

/**
 * Exact phase 2: every query attends to all context K/V of the document (every page of every layer),
 * read once from the K/V store and kept in memory. The partial (o, lse) merges with the query's own
 * causal attention in {@link io.starspark.model.Forward}, which makes the result equal to one softmax
 * over all keys.
 */
public final class ExactContextAttention implements ExternalAttention {
    private final KvStore store;
    private final Kernels kernels;
    private final LlamaConfig c;
    private final PageKv[] layers; // loaded lazily, one per layer

    public ExactContextAttention(KvStore store, Kernels kernels, LlamaConfig config) {
        this.store = store;
        this.kernels = kernels;
        this.c = config;
        this.layers = new PageKv[config.layers()];
    }

    @Override
    public Partial attend(int layer, float[] q, int tokens) {
        PageKv kv = layer(layer);
        int keys = kv.tokens();
        if (keys == 0) {
            return null;
        }
        AttentionShape shape = AttentionShape.full(tokens, keys, c.heads(), c.kvHeads(), c.headDim());
        float[] out = new float[tokens * c.heads() * c.headDim()]; // [tokens][heads][headDim]
        float[] lse = new float[tokens * c.heads()];                 // [tokens][heads]
        kernels.attention(shape, q, kv.k(), kv.v(), out, lse);
        return new Partial(out, lse);
    }

    private PageKv layer(int layer) {
        if (layers[layer] == null) {
            layers[layer] = store.readAll(layer);
        }
        return layers[layer];
    }
}
