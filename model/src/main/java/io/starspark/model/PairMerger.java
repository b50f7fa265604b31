package io.starspark.model;

import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * The greedy pairwise merging both tokenizers run on a string: its symbols as a linked list, a queue of adjacent
 * pairs that may merge, best priority (lowest value) first, then leftmost; a popped pair whose sides changed since
 * it was queued is stale and skipped. O(n log n) in the symbols of the string.
 */
final class PairMerger {
    /** How soon {@code text[from, mid)} and {@code text[mid, to)} merge: lower first; NaN when they do not. */
    @FunctionalInterface
    interface Priority {
        double of(String text, int from, int mid, int to);
    }

    private record Pair(double priority, int left, int right, int size) {
    }

    private PairMerger() {
    }

    /**
     * Merges the symbols of {@code text} that start at {@code starts} (char offsets, ascending, first 0) and
     * returns the merged symbols' starts followed by {@code text.length()}.
     */
    static int[] merge(String text, int[] starts, Priority priority) {
        int n = starts.length;
        int[] len = new int[n];  // [symbols] chars; 0 once merged into the left neighbour
        int[] prev = new int[n]; // [symbols]
        int[] next = new int[n]; // [symbols], -1 at the end
        for (int i = 0; i < n; i++) {
            len[i] = (i + 1 < n ? starts[i + 1] : text.length()) - starts[i];
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        PriorityQueue<Pair> queue = new PriorityQueue<>(Math.max(1, n),
            Comparator.comparingDouble(Pair::priority).thenComparingInt(Pair::left));
        for (int i = 1; i < n; i++) {
            offer(queue, text, starts, len, priority, i - 1, i);
        }
        while (!queue.isEmpty()) {
            Pair p = queue.poll();
            int l = p.left();
            int r = p.right();
            if (len[l] == 0 || len[r] == 0 || next[l] != r || len[l] + len[r] != p.size()) {
                continue;
            }
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            offer(queue, text, starts, len, priority, prev[l], l);
            offer(queue, text, starts, len, priority, l, next[l]);
        }
        IntList out = new IntList(n + 1);
        for (int i = 0; i >= 0 && n > 0; i = next[i]) {
            out.add(starts[i]);
        }
        out.add(text.length());
        return out.toArray();
    }

    private static void offer(PriorityQueue<Pair> queue, String text, int[] starts, int[] len, Priority priority,
                              int l, int r) {
        if (l < 0 || r < 0) {
            return;
        }
        double p = priority.of(text, starts[l], starts[r], starts[r] + len[r]);
        if (!Double.isNaN(p)) {
            queue.add(new Pair(p, l, r, len[l] + len[r]));
        }
    }
}
