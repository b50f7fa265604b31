package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Sink and local pages always, then the top-k of the rest by score, ties to the lower page; ascending. */
class PageSelectorTest {

    private static int[] select(float[] score, int topK, int sink, int local) {
        return PageSelector.select(score, score.length, new SparseSettings(topK, sink, local));
    }

    @Test
    void sinkLocalAndTheBestOfTheRest() {
        float[] score = {0f, 5f, 1f, 9f, 2f, 7f, 3f, 0f}; // 8 pages
        assertArrayEquals(new int[] {0, 3, 5, 7}, select(score, 2, 1, 1));
        assertArrayEquals(new int[] {3}, select(score, 1, 0, 0));
        assertArrayEquals(new int[] {1, 3, 5}, select(score, 3, 0, 0));
        assertArrayEquals(new int[] {0, 1, 3, 6, 7}, select(score, 1, 2, 2), "top-1 of pages 2..5 is page 3");
    }

    @Test
    void tiesGoToTheLowerPage() {
        float[] flat = new float[8];
        assertArrayEquals(new int[] {0, 1, 2}, select(flat, 3, 0, 0));
        assertArrayEquals(new int[] {0, 1, 2, 7}, select(flat, 2, 1, 1), "sink 0, then pages 1 and 2, local 7");
        float[] twoBest = {0f, 4f, 1f, 4f, 4f, 0f};
        assertArrayEquals(new int[] {1, 3}, select(twoBest, 2, 0, 0));
    }

    @Test
    void aBudgetOfAllPagesOrMoreTakesEveryPage() {
        assertEquals(6, new SparseSettings(3, 1, 2).budget());
        assertEquals(2, new SparseSettings(1, 0, 1).budget());
        float[] score = {3f, 2f, 1f, 0f, 5f, 4f};
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, select(score, 3, 1, 2), "budget 6 of 6 pages");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, select(score, 32, 1, 1));
        assertArrayEquals(new int[] {0, 1, 2, 4, 5}, select(score, 2, 1, 2), "budget 5 of 6: page 3 is the lowest");
    }

    @Test
    void sinkAndLocalPagesComeWhateverTheirScore() {
        float[] seven = {1f, 0f, 0f, 8f, 0f, 0f, 0f, 1f, 2f};
        assertArrayEquals(new int[] {0, 1, 2, 3, 8}, select(seven, 1, 3, 1));
    }
}
