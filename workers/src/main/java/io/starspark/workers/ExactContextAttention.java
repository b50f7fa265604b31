package io.starspark.workers;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Partials;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.model.ExternalAttention;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import java.util.stream.IntStream;

/**
 * Exact phase 2: every query attends to all context K/V of the document (every page of every layer),
 * streamed from the K/V store in groups of pages of at most {@code groupBytes} each; the groups' partials
 * (o, lse) are merged exactly ({@link Partials#mergeInto}), and the result merges with the query's own causal
 * attention in {@link io.starspark.model.Forward}, which makes it equal to one softmax over all keys. Memory
 * is O(group + the store's page cache), not O(context): nothing is kept between calls. A context that fits in
 * one group is attended in one call, exactly as a single read of all pages.
 */
public final class ExactContextAttention implements ExternalAttention {
    /** Bytes of K and V read per attention call: 32 MiB, 256K tokens of stories260K at 16-token pages. */
    public static final long DEFAULT_GROUP_BYTES = 32L << 20;

    private final KvStore store;
    private final Kernels kernels;
    private final LlamaConfig c;
    private final int pageCount;
    private final int pagesPerGroup;

    /**
     * @param pageCount  the context's pages (every layer has them all)
     * @param groupBytes most K+V bytes (as floats) read for one attention call; at least one page is read
     */
    public ExactContextAttention(KvStore store, Kernels kernels, LlamaConfig config, int pageCount, long groupBytes) {
        if (pageCount < 0 || groupBytes < 1) {
            throw new IllegalArgumentException("pageCount " + pageCount + " and groupBytes " + groupBytes);
        }
        this.store = store;
        this.kernels = kernels;
        this.c = config;
        this.pageCount = pageCount;
        KvLayout layout = store.layout();
        long pageBytes = 2L * layout.pageSize() * layout.kvHeads() * layout.headDim() * Float.BYTES; // K and V
        this.pagesPerGroup = (int) Math.max(1, Math.min(Integer.MAX_VALUE, groupBytes / pageBytes));
    }

    /** Pages attended per call (one group). */
    public int pagesPerGroup() {
        return pagesPerGroup;
    }

    @Override
    public Partial attend(int layer, float[] q, int tokens) {
        Partial merged = null;
        for (int first = 0; first < pageCount; first += pagesPerGroup) {
            int[] pages = IntStream.range(first, Math.min(pageCount, first + pagesPerGroup)).toArray();
            Partial p = attend(store.readPages(layer, pages), q, tokens);
            if (p == null) {
                continue;
            }
            if (merged == null) {
                merged = p;
            } else {
                Partials.mergeInto(merged.out(), merged.lse(), p.out(), p.lse(), tokens * c.heads(), c.headDim());
            }
        }
        return merged;
    }

    private Partial attend(PageKv kv, float[] q, int tokens) {
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
}
