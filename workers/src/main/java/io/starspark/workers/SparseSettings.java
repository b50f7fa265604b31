package io.starspark.workers;

import io.starspark.workers.conf.StarKeys;
import java.io.Serializable;

/**
 * Page budget of retrieval-based sparse decoding.
 *
 * @param topK       pages chosen per (layer, KV head) by Quest score
 * @param sinkPages  first pages always attended (the anchor / attention sink)
 * @param localPages last context pages always attended (the recent window)
 */
public record SparseSettings(int topK, int sinkPages, int localPages) implements Serializable {
    /** The same checks as the settings {@code spark.starspark.sparse.*} these come from. */
    public SparseSettings {
        StarKeys.SPARSE_TOP_K.check(topK);
        StarKeys.SPARSE_SINK_PAGES.check(sinkPages);
        StarKeys.SPARSE_LOCAL_PAGES.check(localPages);
    }

    /** Pages fetched per (layer, KV head) at most. */
    public int budget() {
        return topK + sinkPages + localPages;
    }
}
