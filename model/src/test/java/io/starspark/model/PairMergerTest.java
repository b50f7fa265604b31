package io.starspark.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The merge loop's own contract at its edges (the tokenizers' tests cover the merging itself). */
class PairMergerTest {
    private static final PairMerger.Priority NEVER = (t, from, mid, to) -> Double.NaN;
    private static final PairMerger.Priority ALWAYS = (t, from, mid, to) -> 0;

    @Test
    void boundsAreTheSymbolStartsThenTheLength() {
        assertArrayEquals(new int[] {0}, PairMerger.merge("", new int[0], ALWAYS), "no symbols");
        assertArrayEquals(new int[] {0, 1}, PairMerger.merge("a", new int[] {0}, ALWAYS));
        assertArrayEquals(new int[] {0, 1, 3, 4}, PairMerger.merge("abcd", new int[] {0, 1, 3}, NEVER));
        assertArrayEquals(new int[] {0, 4}, PairMerger.merge("abcd", new int[] {0, 1, 3}, ALWAYS), "all merge");
    }
}
