package io.starspark.driver.star;

import io.starspark.model.ExternalAttention;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.util.Arrays;

/**
 * Phase 2 decoding on the query host: question and generated tokens attend to the context through an
 * {@link ExternalAttention} (exact or sparse) and to each other causally, positions continuing after
 * the context. Stops at EOS (not emitted) or after {@code maxNew} tokens.
 */
public final class Decoder {
    private Decoder() {
    }

    /**
     * @param firstLogits [vocab] logits that chose the first generated token (tests compare them to goldens)
     */
    public record Result(int[] ids, float[] firstLogits, long prefillNanos, long decodeNanos) {
        public double decodeTokensPerSecond() {
            return decodeNanos == 0 ? 0 : ids.length / (decodeNanos / 1e9);
        }
    }

    public static Result generate(Forward forward, int contextLength, ExternalAttention context, int[] question,
                                  int maxNew, Sampler sampler, int eos) {
        if (question.length == 0) {
            throw new IllegalArgumentException("the question tokenizes to no tokens");
        }
        LlamaConfig c = forward.model().config();
        KvCache cache = KvCache.forModel(c);
        int[] positions = new int[question.length]; // [question tokens]
        for (int i = 0; i < positions.length; i++) {
            positions[i] = contextLength + i;
        }
        long t0 = System.nanoTime();
        float[] logits = forward.forward(question, positions, cache, context, Logits.LAST);
        float[] first = logits.clone();
        long t1 = System.nanoTime();
        int[] ids = new int[maxNew];
        int n = 0;
        int position = contextLength + question.length;
        while (n < maxNew) {
            int next = sampler.sample(logits);
            if (next == eos) {
                break;
            }
            ids[n++] = next;
            if (n == maxNew) {
                break;
            }
            logits = forward.forward(new int[] {next}, new int[] {position++}, cache, context, Logits.LAST);
        }
        return new Result(Arrays.copyOf(ids, n), first, t1 - t0, System.nanoTime() - t1);
    }
}
