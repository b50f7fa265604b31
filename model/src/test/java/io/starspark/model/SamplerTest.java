package io.starspark.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerTest {
    private static final long SEED = 20240611L;

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

    @Test
    void rejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> Sampler.topP(0f, 0.9f, 1));
        assertThrows(IllegalArgumentException.class, () -> Sampler.topP(1f, 1.5f, 1));
    }

    private static int[] draw(Sampler s, float[] l, int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = s.sample(l);
        }
        return out;
    }
}
