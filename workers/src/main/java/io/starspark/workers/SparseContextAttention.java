package io.starspark.workers;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.kv.PageSummaries;
import io.starspark.model.ExternalAttention;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import java.util.TreeSet;

/**
 * Retrieval-based sparse phase 2 (Quest): per query token, layer and KV head, score every context page
 * from its key min/max summary, fetch only the selected pages' K/V from the store, and attend exactly
 * over them. Each token of a batch gets its own pages, so a question gives the same partials whether
 * its tokens come in one batch or one at a time. With a budget covering every page this is exactly
 * {@link ExactContextAttention}.
 */
public final class SparseContextAttention implements ExternalAttention {
    private final KvStore store;
    private final Kernels kernels;
    private final LlamaConfig c;
    private final PageSummaries[] summaries; // [layers]
    private final SparseSettings settings;
    private long pagesFetched; // distinct pages read from the store, summed over layers and calls
    private long pageVisits;
    private long calls;

    public SparseContextAttention(KvStore store, Kernels kernels, LlamaConfig config, PageSummaries[] summaries,
                                  SparseSettings settings) {
        if (summaries.length != config.layers()) {
            throw new IllegalArgumentException("need page summaries for " + config.layers() + " layers (got "
                    + summaries.length + ")");
        }
        this.store = store;
        this.kernels = kernels;
        this.c = config;
        this.summaries = summaries;
        this.settings = settings;
    }

    @Override
    public Partial attend(int layer, float[] q, int tokens) {
        PageSummaries sum = summaries[layer];
        int pages = sum.pages();
        if (pages == 0) {
            return null;
        }
        int heads = c.heads();
        int kvHeads = c.kvHeads();
        int hd = c.headDim();
        int[][][] selected = new int[tokens][][]; // [tokens][kvHeads][selected pages, ascending]
        TreeSet<Integer> union = new TreeSet<>();
        for (int t = 0; t < tokens; t++) {
            selected[t] = select(layer, java.util.Arrays.copyOfRange(q, t * heads * hd, (t + 1) * heads * hd));
            for (int[] group : selected[t]) {
                for (int p : group) {
                    union.add(p);
                }
            }
        }
        PageKv kv = store.readPages(layer, union.stream().mapToInt(Integer::intValue).toArray());
        pagesFetched += union.size();
        calls++;
        float[] out = new float[tokens * heads * hd]; // [tokens][heads][headDim]
        float[] lse = new float[tokens * heads];       // [tokens][heads]
        int[] firstRow = new int[kv.pages().length + 1]; // [read pages + 1] row offset of each read page in kv
        for (int i = 0; i < kv.pages().length; i++) {
            firstRow[i + 1] = firstRow[i] + kv.pageTokens()[i];
        }
        for (int t = 0; t < tokens; t++) {
            for (int g = 0; g < kvHeads; g++) {
                pageVisits += selected[t][g].length;
                attendGroup(kv, firstRow, selected[t][g], q, t, g, out, lse);
            }
        }
        return new Partial(out, lse);
    }

    /**
     * The context pages one query token attends to in {@code layer}, per KV head (what {@link #attend} reads).
     *
     * @param qt [heads][headDim] the token's queries, after RoPE
     * @return [kvHeads][selected pages, ascending]
     */
    public int[][] select(int layer, float[] qt) {
        PageSummaries sum = summaries[layer];
        int pages = sum.pages();
        int heads = c.heads();
        int kvHeads = c.kvHeads();
        float[] scores = new float[pages * heads]; // [1][pages][heads]
        kernels.scorePages(qt, sum.min(), sum.max(), scores, 1, pages, heads, kvHeads, c.headDim());
        int[][] selected = new int[kvHeads][];
        for (int g = 0; g < kvHeads; g++) {
            selected[g] = PageSelector.select(groupScore(scores, pages, heads, heads / kvHeads, g), pages, settings);
        }
        return selected;
    }

    /** [pages] max over the group's query heads of the page bound, for one token's {@code scores: [pages][heads]}. */
    private static float[] groupScore(float[] scores, int pages, int heads, int gs, int g) {
        float[] best = new float[pages];
        java.util.Arrays.fill(best, Float.NEGATIVE_INFINITY);
        for (int p = 0; p < pages; p++) {
            for (int h = g * gs; h < (g + 1) * gs; h++) {
                best[p] = Math.max(best[p], scores[p * heads + h]);
            }
        }
        return best;
    }

    /** Exact attention of token t's query heads of KV head g over the rows of its selected pages. */
    private void attendGroup(PageKv kv, int[] firstRow, int[] pages, float[] q, int t, int g, float[] out, float[] lse) {
        int heads = c.heads();
        int kvHeads = c.kvHeads();
        int hd = c.headDim();
        int gs = heads / kvHeads;
        int rows = 0;
        for (int p : pages) {
            int i = indexOf(kv.pages(), p);
            rows += firstRow[i + 1] - firstRow[i];
        }
        float[] k = new float[rows * hd]; // [rows][1][headDim]: head g only
        float[] v = new float[rows * hd];
        int at = 0;
        for (int p : pages) {
            int i = indexOf(kv.pages(), p);
            int first = firstRow[i];
            for (int r = 0; r < firstRow[i + 1] - first; r++) {
                System.arraycopy(kv.k(), ((first + r) * kvHeads + g) * hd, k, at * hd, hd);
                System.arraycopy(kv.v(), ((first + r) * kvHeads + g) * hd, v, at * hd, hd);
                at++;
            }
        }
        float[] qg = java.util.Arrays.copyOfRange(q, (t * heads + g * gs) * hd, (t * heads + (g + 1) * gs) * hd); // [1][gs][headDim]
        float[] og = new float[gs * hd];
        float[] lg = new float[gs];
        kernels.attention(AttentionShape.full(1, rows, gs, 1, hd), qg, k, v, og, lg);
        System.arraycopy(og, 0, out, (t * heads + g * gs) * hd, gs * hd);
        System.arraycopy(lg, 0, lse, t * heads + g * gs, gs);
    }

    private static int indexOf(int[] pages, int page) {
        int i = java.util.Arrays.binarySearch(pages, page);
        if (i < 0) {
            throw new IllegalStateException("page " + page + " was selected but not read");
        }
        return i;
    }

    /** Mean distinct pages read per (layer, forward step). */
    public double meanPagesPerCall() {
        return calls == 0 ? 0 : (double) pagesFetched / calls;
    }

    /** (token, KV head, page) triples attended (summed over layers and calls). */
    public long pageVisits() {
        return pageVisits;
    }
}
