package io.starspark.kv;

import java.io.Serializable;
import java.util.List;

/**
 * Quest summaries of one layer: per page and KV head, the per-channel min and max of the keys.
 *
 * <p>The store computes them from the keys <em>as stored</em> (rounded to F16 when the dtype is F16),
 * so {@link #upperBound} is a true upper bound of {@code q·k} for every key attention will read.
 *
 * @param min {@code [pages][kvHeads][headDim]}
 * @param max {@code [pages][kvHeads][headDim]}
 */
public record PageSummaries(int pages, int kvHeads, int headDim, float[] min, float[] max) implements Serializable {

    public PageSummaries {
        long n = (long) pages * kvHeads * headDim;
        if (pages < 0 || kvHeads < 1 || headDim < 1 || min.length != n || max.length != n) {
            throw new IllegalArgumentException("summaries need min/max of pages*kvHeads*headDim = " + n
                    + " floats (got " + min.length + "/" + max.length + ")");
        }
    }

    /**
     * Summaries of {@code k: [tokens][kvHeads][headDim]} in pages of {@code pageSize} tokens (last may be short).
     */
    public static PageSummaries of(float[] k, int tokens, int kvHeads, int headDim, int pageSize) {
        int row = kvHeads * headDim;
        if (tokens < 1 || pageSize < 1 || k.length < (long) tokens * row) {
            throw new IllegalArgumentException("need tokens >= 1, pageSize >= 1 and k of tokens*kvHeads*headDim floats"
                    + " (got tokens " + tokens + ", pageSize " + pageSize + ", k " + k.length + ")");
        }
        int pages = (tokens + pageSize - 1) / pageSize;
        float[] min = new float[pages * row]; // [pages][kvHeads][headDim]
        float[] max = new float[pages * row];
        for (int p = 0; p < pages; p++) {
            int first = p * pageSize;
            System.arraycopy(k, first * row, min, p * row, row);
            System.arraycopy(k, first * row, max, p * row, row);
            for (int t = first + 1; t < Math.min(first + pageSize, tokens); t++) {
                for (int c = 0; c < row; c++) {
                    min[p * row + c] = Math.min(min[p * row + c], k[t * row + c]);
                    max[p * row + c] = Math.max(max[p * row + c], k[t * row + c]);
                }
            }
        }
        return new PageSummaries(pages, kvHeads, headDim, min, max);
    }

    /** Per-block summaries of one layer joined in the given (page) order. */
    public static PageSummaries concat(List<PageSummaries> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("nothing to concatenate");
        }
        PageSummaries first = parts.get(0);
        int row = first.kvHeads * first.headDim;
        int pages = 0;
        for (PageSummaries s : parts) {
            if (s.kvHeads != first.kvHeads || s.headDim != first.headDim) {
                throw new IllegalArgumentException("cannot concatenate summaries of kvHeads/headDim " + s.kvHeads + "/"
                        + s.headDim + " and " + first.kvHeads + "/" + first.headDim);
            }
            pages += s.pages;
        }
        float[] min = new float[pages * row];
        float[] max = new float[pages * row];
        int at = 0;
        for (PageSummaries s : parts) {
            System.arraycopy(s.min, 0, min, at, s.min.length);
            System.arraycopy(s.max, 0, max, at, s.max.length);
            at += s.min.length;
        }
        return new PageSummaries(pages, first.kvHeads, first.headDim, min, max);
    }

    /**
     * Quest bound {@code Σ_c max(q_c·min_c, q_c·max_c)} for page {@code page}, KV head {@code kvHead}, query
     * {@code q[qOffset .. qOffset+headDim)}. In double: float products are exact there, so the bound is never
     * below the exact {@code q·k} of any summarized key.
     */
    public double upperBound(int page, int kvHead, float[] q, int qOffset) {
        int base = (page * kvHeads + kvHead) * headDim;
        double sum = 0;
        for (int c = 0; c < headDim; c++) {
            double qc = q[qOffset + c];
            sum += Math.max(qc * min[base + c], qc * max[base + c]);
        }
        return sum;
    }
}
