package io.starspark.model;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** Equivalences the distributed code relies on: batch == token-by-token, external partial + cache == full. */
class ForwardTest {
    private static final String TEXT = "Lily and Tom went to the park. They saw a big dog. The dog was";
    private final Kernels kernels = new ReferenceKernels();
    private final LlamaModel m = Stories.model();
    private final int vocab = m.config().vocabSize();

    @Test
    void batchPrefillEqualsTokenByTokenDecode() {
        int[] ids = m.tokenizer().encode(TEXT, true, true);
        float[] batch = new Forward(m, kernels).forward(ids, Stories.range(0, ids.length),
            KvCache.forModel(m.config()), null, Logits.ALL);
        Forward step = new Forward(m, kernels);
        KvCache cache = KvCache.forModel(m.config());
        for (int i = 0; i < ids.length; i++) {
            float[] one = step.forward(new int[]{ids[i]}, new int[]{i}, cache, null, Logits.LAST);
            assertArrayEquals(Arrays.copyOfRange(batch, i * vocab, (i + 1) * vocab), one, 1e-4f, "token " + i);
        }
        assertEquals(ids.length, cache.length());
    }

    @Test
    void externalPartialOverFirstHalfPlusCacheOfSecondHalfEqualsFullForward() {
        int[] ctx = m.tokenizer().encode(TEXT, true, true);
        int[] question = m.tokenizer().encode(" She", false, false);
        int n = ctx.length;
        int half = n / 2;
        KvCache full = KvCache.forModel(m.config());
        assertNull(new Forward(m, kernels).forward(ctx, Stories.range(0, n), full, null, Logits.NONE));
        KvCache first = full.slice(0, half);
        KvCache second = full.slice(half, n);
        int[] qPos = Stories.range(n, n + question.length);

        float[] expected = new Forward(m, kernels).forward(question, qPos, full.slice(0, n), null, Logits.ALL);
        float[] actual = new Forward(m, kernels).forward(question, qPos, second, partialOver(m, kernels, first),
            Logits.ALL);
        assertArrayEquals(expected, actual, 1e-4f);
        assertEquals(n - half + question.length, second.length());
    }

    /** Exact attention of the queries over every row of {@code ctx} (context keys held outside the pass). */
    static ExternalAttention partialOver(LlamaModel m, Kernels kernels, KvCache ctx) {
        LlamaConfig c = m.config();
        return (layer, q, tokens) -> {
            float[] out = new float[tokens * c.qDim()];
            float[] lse = new float[tokens * c.heads()];
            AttentionShape s = AttentionShape.full(tokens, ctx.length(), c.heads(), c.kvHeads(), c.headDim());
            kernels.attention(s, q, ctx.keys(layer), ctx.values(layer), out, lse);
            return new Partial(out, lse);
        };
    }

    @Test
    void lastLogitsEqualLastRowOfAll() {
        int[] ids = m.tokenizer().encode("Once upon a time", true, true);
        float[] all = new Forward(m, kernels).forward(ids, Stories.range(0, ids.length),
            KvCache.forModel(m.config()), null, Logits.ALL);
        float[] last = new Forward(m, kernels).forward(ids, Stories.range(0, ids.length),
            KvCache.forModel(m.config()), null, Logits.LAST);
        assertArrayEquals(Arrays.copyOfRange(all, (ids.length - 1) * vocab, ids.length * vocab), last, 1e-6f);
    }
}
