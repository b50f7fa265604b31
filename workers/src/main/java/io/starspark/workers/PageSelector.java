package io.starspark.workers;

import java.util.Arrays;

/**
 * Chooses the context pages one KV head attends to: the always-kept sink and local pages plus the
 * top-k of the rest by score (ties to the lower page index, so the choice is deterministic).
 */
final class PageSelector {
    private PageSelector() {
    }

    /**
     * @param score [pages] Quest upper bound per page for this KV head (max over its query heads and tokens)
     * @return selected page indices, ascending
     */
    static int[] select(float[] score, int pages, SparseSettings s) {
        if (s.budget() >= pages) {
            int[] all = new int[pages];
            Arrays.setAll(all, i -> i);
            return all;
        }
        boolean[] chosen = new boolean[pages];
        int count = 0;
        for (int p = 0; p < Math.min(s.sinkPages(), pages); p++) {
            count += mark(chosen, p);
        }
        for (int p = Math.max(0, pages - s.localPages()); p < pages; p++) {
            count += mark(chosen, p);
        }
        Integer[] order = new Integer[pages];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> score[a] != score[b] ? Float.compare(score[b], score[a]) : Integer.compare(a, b));
        int picked = 0;
        for (int i = 0; i < pages && picked < s.topK(); i++) {
            if (!chosen[order[i]]) {
                count += mark(chosen, order[i]);
                picked++;
            }
        }
        int[] out = new int[count];
        int n = 0;
        for (int p = 0; p < pages; p++) {
            if (chosen[p]) {
                out[n++] = p;
            }
        }
        return out;
    }

    private static int mark(boolean[] chosen, int p) {
        if (chosen[p]) {
            return 0;
        }
        chosen[p] = true;
        return 1;
    }
}
