package io.starspark.workers;

import io.starspark.errors.UserError;
import java.io.Serializable;

/**
 * Page budget of retrieval-based sparse decoding.
 *
 * @param topK       pages chosen per (layer, KV head) by Quest score
 * @param sinkPages  first pages always attended (the anchor / attention sink)
 * @param localPages last context pages always attended (the recent window)
 */
public record SparseSettings(int topK, int sinkPages, int localPages) implements Serializable {
    public SparseSettings {
        if (topK < 1) {
            throw new UserError("sparse topK must be positive (got " + topK + ")");
        }
        if (sinkPages < 0 || localPages < 0) {
            throw new UserError("sparse sinkPages and localPages must be >= 0 (got " + sinkPages
                    + ", " + localPages + ")");
        }
    }

    /** Pages fetched per (layer, KV head) at most. */
    public int budget() {
        return topK + sinkPages + localPages;
    }
}
