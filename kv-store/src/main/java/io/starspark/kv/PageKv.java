package io.starspark.kv;

/**
 * K/V of selected pages of one layer, all KV heads, concatenated in the requested page order.
 *
 * @param pages      global page indices, in the order requested
 * @param pageTokens tokens of each page ({@code pageSize}, or fewer for the document's last page)
 * @param pageStart  context index (= global position) of each page's first token
 * @param k          {@code [selectedTokens][kvHeads][headDim]}
 * @param v          {@code [selectedTokens][kvHeads][headDim]}
 */
public record PageKv(int kvHeads, int headDim, int[] pages, int[] pageTokens, int[] pageStart, float[] k, float[] v) {

    public int tokens() {
        return k.length / (kvHeads * headDim);
    }

    /** Global position of every row: {@code [selectedTokens]}. */
    public int[] positions() {
        int[] positions = new int[tokens()];
        int row = 0;
        for (int p = 0; p < pages.length; p++) {
            for (int t = 0; t < pageTokens[p]; t++) {
                positions[row++] = pageStart[p] + t;
            }
        }
        return positions;
    }
}
