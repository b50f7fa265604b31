package io.starspark.model;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits: greedy (argmax, lowest id on ties) or temperature + top-p
 * (nucleus) sampling driven by a seeded {@link SplittableRandom}. Stateful (the random stream); not thread-safe.
 */
public final class Sampler {
    private final float temperature;
    private final float topP;
    private final SplittableRandom random;

    private Sampler(float temperature, float topP, long seed) {
        this.temperature = temperature;
        this.topP = topP;
        this.random = new SplittableRandom(seed);
    }

    public static Sampler greedy() {
        return new Sampler(0f, 1f, 0L);
    }

    /** Temperature {@code > 0} and top-p in {@code (0, 1]}; the same seed gives the same tokens. */
    public static Sampler topP(float temperature, float topP, long seed) {
        if (!(temperature > 0) || !(topP > 0) || topP > 1) {
            throw new IllegalArgumentException("temperature must be > 0 and top-p in (0, 1] (got "
                + temperature + ", " + topP + ")");
        }
        return new Sampler(temperature, topP, seed);
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** @param logits [vocab] */
    public int sample(float[] logits) {
        return isGreedy() ? argmax(logits) : nucleus(logits);
    }

    public static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    private int nucleus(float[] logits) {
        int n = logits.length;
        float max = logits[argmax(logits)];
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            p[i] = Math.exp((logits[i] - max) / temperature);
            sum += p[i];
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
        int keep = 0;
        double mass = 0;
        while (keep < n && (keep == 0 || mass < topP * sum)) {
            mass += p[order[keep++]];
        }
        double r = random.nextDouble() * mass;
        for (int i = 0; i < keep; i++) {
            r -= p[order[i]];
            if (r < 0) {
                return order[i];
            }
        }
        return order[keep - 1];
    }
}
