package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PageSummariesTest {

    private static float[] randomKeys(SplittableRandom random, int n) {
        float[] k = new float[n];
        for (int i = 0; i < n; i++) {
            k[i] = (float) (random.nextGaussian() * Math.exp(random.nextGaussian()));
        }
        return k;
    }

    @Test
    void minAndMaxPerPageAndChannelMatchNaiveLoops() {
        long seed = Long.getLong("starspark.test.seed", 20260516L);
        System.out.println("PageSummariesTest: seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 50; trial++) {
            int kvHeads = random.nextInt(1, 4);
            int headDim = random.nextInt(1, 9);
            int pageSize = random.nextInt(1, 9);
            int tokens = random.nextInt(1, 60);
            float[] k = randomKeys(random, tokens * kvHeads * headDim); // [tokens][kvHeads][headDim]
            PageSummaries s = PageSummaries.of(k, tokens, kvHeads, headDim, pageSize);
            assertEquals((tokens + pageSize - 1) / pageSize, s.pages());
            for (int p = 0; p < s.pages(); p++) {
                for (int c = 0; c < kvHeads * headDim; c++) {
                    float min = Float.POSITIVE_INFINITY;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t = p * pageSize; t < Math.min(tokens, (p + 1) * pageSize); t++) {
                        min = Math.min(min, k[t * kvHeads * headDim + c]);
                        max = Math.max(max, k[t * kvHeads * headDim + c]);
                    }
                    assertEquals(min, s.min()[p * kvHeads * headDim + c], "seed " + seed);
                    assertEquals(max, s.max()[p * kvHeads * headDim + c], "seed " + seed);
                }
            }
        }
    }

    @Test
    void concatOfPageAlignedBlocksEqualsTheWhole() {
        SplittableRandom random = new SplittableRandom(7);
        float[] k = randomKeys(random, 22 * 6); // [22][2][3]
        PageSummaries whole = PageSummaries.of(k, 22, 2, 3, 4);
        PageSummaries joined = PageSummaries.concat(List.of(
                PageSummaries.of(Arrays.copyOfRange(k, 0, 8 * 6), 8, 2, 3, 4),
                PageSummaries.of(Arrays.copyOfRange(k, 8 * 6, 22 * 6), 14, 2, 3, 4)));
        assertEquals(6, joined.pages());
        assertArrayEquals(whole.min(), joined.min());
        assertArrayEquals(whole.max(), joined.max());
    }

    @Test
    void questBoundIsAtLeastEveryExactScore() {
        long seed = Long.getLong("starspark.test.seed", 20260516L);
        System.out.println("questBound: seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (KvDtype dtype : KvDtype.values()) {
            for (int trial = 0; trial < 20; trial++) {
                int kvHeads = random.nextInt(1, 4);
                int headDim = random.nextInt(1, 17);
                int pageSize = random.nextInt(1, 9);
                int tokens = random.nextInt(1, 50);
                float[] stored = dtype.rounded(randomKeys(random, tokens * kvHeads * headDim));
                PageSummaries s = PageSummaries.of(stored, tokens, kvHeads, headDim, pageSize);
                int[] pages = new int[s.pages()];
                int[] pageTokens = new int[s.pages()];
                int[] pageStart = new int[s.pages()];
                for (int p = 0; p < pages.length; p++) {
                    pages[p] = p;
                    pageStart[p] = p * pageSize;
                    pageTokens[p] = Math.min(pageSize, tokens - pageStart[p]);
                }
                PageKv kv = new PageKv(kvHeads, headDim, pages, pageTokens, pageStart, stored, stored);
                KvStoreContract.assertBoundHolds(s, kv, random);
            }
        }
    }

    @Test
    void badShapesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PageSummaries.of(new float[5], 2, 1, 4, 4));
        assertEquals("need tokens >= 1, pageSize >= 1 and k of tokens*kvHeads*headDim floats (got tokens 2, pageSize 4, k 5)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PageSummaries.concat(List.of(
                PageSummaries.of(new float[4], 1, 1, 4, 4), PageSummaries.of(new float[4], 1, 2, 2, 4))));
    }
}
