package io.starspark.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final long SEED = 20240611L;

    @org.junit.jupiter.api.BeforeAll
    static void logSeed() {
        System.out.println("SamplerTest seed " + SEED + " (logits and every sampler)");
    }

    private static float[] randomLogits(long seed, int n) {
        System.out.println("SamplerTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        float[] l = new float[n];
        for (int i = 0; i < n; i++) {
            l[i] = (float) (r.nextGaussian() * 3);
        }
        return l;
    }

    private static int naiveArgmax(float[] l) {
        int best = 0;
        for (int i = 0; i < l.length; i++) {
            best = l[i] > l[best] ? i : best;
        }
        return best;
    }

    @Test
    void greedyIsArgmax() {
        float[] l = randomLogits(SEED, 512);
        assertEquals(naiveArgmax(l), Sampler.greedy().sample(l));
        assertEquals(1, Sampler.greedy().sample(new float[]{0f, 5f, 5f, -1f}), "first of tied maxima");
    }

    @Test
    void sameSeedSameTokensAndTinyTopPIsArgmax() {
        float[] l = randomLogits(SEED + 1, 512);
        int[] a = draw(Sampler.topP(0.9f, 0.95f, 7), l, 200);
        int[] b = draw(Sampler.topP(0.9f, 0.95f, 7), l, 200);
        assertArrayEquals(a, b);
        assertTrue(java.util.Arrays.stream(a).distinct().count() > 1, "sampling at T=0.9 should vary");
        for (int t : draw(Sampler.topP(1.5f, 1e-6f, 3), l, 50)) {
            assertEquals(naiveArgmax(l), t);
        }
    }

    @Test
    void samplingFollowsTheDistribution() {
        float[] l = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
        int[] counts = new int[3];
        for (int t : draw(Sampler.topP(1f, 1f, SEED), l, 20000)) {
            counts[t]++;
        }
        assertEquals(0.7, counts[0] / 20000.0, 0.02);
        assertEquals(0.2, counts[1] / 20000.0, 0.02);
        int[] nucleus = new int[3];
        for (int t : draw(Sampler.topP(1f, 0.8f, SEED), l, 20000)) {
            nucleus[t]++;
        }
        assertEquals(0, nucleus[2], "top-p 0.8 keeps only the 0.7 and 0.2 tokens");
    }

    /** Temperature T draws p_i^(1/T), renormalized: T = 2 flattens 0.7/0.2/0.1, T = 0.5 sharpens it. */
    @Test
    void temperatureDividesTheLogits() {
        float[] l = {(float) Math.log(0.7), (float) Math.log(0.2), (float) Math.log(0.1)};
        for (float t : new float[] {2f, 0.5f}) {
            double[] expected = new double[3];
            double sum = 0;
            for (int i = 0; i < 3; i++) {
                expected[i] = Math.pow(new double[] {0.7, 0.2, 0.1}[i], 1 / t);
                sum += expected[i];
            }
            int[] counts = new int[3];
            for (int token : draw(Sampler.topP(t, 1f, SEED), l, 20000)) {
                counts[token]++;
            }
            for (int i = 0; i < 3; i++) {
                // binomial standard deviation <= 0.0036 at 20000 draws: 0.015 is over 4 of them
                assertEquals(expected[i] / sum, counts[i] / 20000.0, 0.015, "token " + i + " at temperature " + t);
            }
        }
    }

    /** Logits past exp's range (raw scores can be hundreds): each token's weight is taken relative to the largest. */
    @Test
    void hugeLogitsSampleByTheirDifferences() {
        float[] l = {800f + (float) Math.log(0.7), 800f + (float) Math.log(0.3), -800f};
        int[] counts = new int[3];
        for (int t : draw(Sampler.topP(1f, 1f, SEED), l, 20000)) {
            counts[t]++;
        }
        assertEquals(0.7, counts[0] / 20000.0, 0.015);
        assertEquals(0.3, counts[1] / 20000.0, 0.015);
        assertEquals(0, counts[2]);
    }

    /**
     * Top-p 1 keeps every token even where the nucleus' mass, summed largest first, rounds below the total summed
     * in token order: here 100 weights of e^-36.8 (each below half an ulp of 1) come before a weight of 1.
     */
    @Test
    void topPOneKeepsEveryTokenWhateverTheSummingOrder() {
        float[] l = new float[101];
        java.util.Arrays.fill(l, -36.8f);
        l[100] = 0f;
        for (int t : draw(Sampler.topP(1f, 1f, SEED), l, 200)) {
            assertEquals(100, t);
        }
    }

    @Test
    void theNucleusStopsWhenItsMassReachesTopP() {
        // four equal logits: top-p 0.5 keeps exactly the first two (mass 2 of 4), never a third
        int[] counts = new int[4];
        for (int t : draw(Sampler.topP(1f, 0.5f, SEED), new float[] {3f, 3f, 3f, 3f}, 2000)) {
            counts[t]++;
        }
        assertEquals(0, counts[2] + counts[3]);
        assertTrue(counts[0] > 800 && counts[1] > 800, java.util.Arrays.toString(counts));
    }

    @Test
    void rejectsBadSettings() {
        for (float[] bad : new float[][] {{0f, 0.9f}, {-1f, 0.9f}, {Float.NaN, 0.9f}, {1f, 1.5f}, {1f, 0f},
            {1f, -0.1f}, {1f, Float.NaN}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Sampler.topP(bad[0], bad[1], 1));
            assertEquals("temperature must be > 0 and top-p in (0, 1] (got " + bad[0] + ", " + bad[1] + ")",
                    e.getMessage());
        }
        assertEquals(false, Sampler.topP(1e-3f, 1f, 1).isGreedy());
        assertEquals(true, Sampler.greedy().isGreedy());
    }

    private static int[] draw(Sampler s, float[] l, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(l);
        }
        return out;
    }
}
