package io.starspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.Kernels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Forward and Generator edge cases the distributed code relies on (one model shared by many tasks, ext partials). */
class ForwardEdgeCasesTest {
    private static final String[] PROMPTS = {
        "Once upon a time", "Lily and Tom went to the park.", "The dog was big and", "She saw a red ball",
        "One day, a little girl", "Tom liked to play", "The sun was", "A cat sat on the mat and"};
    private final Kernels java = KernelBackends.select(KernelsChoice.JAVA);
    private final LlamaModel m = Stories.model();
    private final LlamaConfig c = m.config();

    /** Prefill + 12 greedy steps; returns every step's logits concatenated. */
    private float[] run(String prompt) {
        int[] ids = m.tokenizer().encode(prompt, true, true);
        Forward f = new Forward(m, java);
        KvCache cache = KvCache.forModel(c);
        float[] logits = f.forward(ids, Stories.range(0, ids.length), cache, null, Logits.LAST);
        float[] all = new float[13 * c.vocabSize()];
        System.arraycopy(logits, 0, all, 0, logits.length);
        for (int s = 1; s <= 12; s++) {
            int next = Sampler.argmax(logits);
            logits = f.forward(new int[] {next}, new int[] {ids.length + s - 1}, cache, null, Logits.LAST);
            System.arraycopy(logits, 0, all, s * c.vocabSize(), logits.length);
        }
        return all;
    }

    @Test
    void parallelForwardsOnOneSharedModelEqualSequentialBitForBit() throws Exception {
        float[][] sequential = new float[PROMPTS.length][];
        for (int i = 0; i < PROMPTS.length; i++) {
            sequential[i] = run(PROMPTS[i]);
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 3; round++) {
                List<Future<float[]>> futures = new ArrayList<>();
                for (String p : PROMPTS) {
                    futures.add(pool.submit(() -> run(p)));
                }
                for (int i = 0; i < PROMPTS.length; i++) {
                    assertArrayEquals(sequential[i], futures.get(i).get(), "round " + round + ", prompt " + i);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void externalPartialWithoutKeysEqualsNullForSomeLayers() {
        int[] ctx = m.tokenizer().encode("Lily and Tom went to the park. They saw a big dog.", true, true);
        int[] q = m.tokenizer().encode(" The dog", false, false);
        KvCache full = KvCache.forModel(c);
        new Forward(m, java).forward(ctx, Stories.range(0, ctx.length), full, null, Logits.NONE);
        int[] qPos = Stories.range(ctx.length, ctx.length + q.length);
        // null on odd layers vs an explicit "no keys" partial (out 0, lse -inf) there: same logits
        ExternalAttention withNull = (l, qq, t) -> l % 2 == 1 ? null : partialOver(full, l, qq, t);
        ExternalAttention withEmpty = (l, qq, t) -> {
            if (l % 2 == 0) {
                return partialOver(full, l, qq, t);
            }
            float[] lse = new float[t * c.heads()];
            Arrays.fill(lse, Float.NEGATIVE_INFINITY);
            return new Partial(new float[t * c.qDim()], lse);
        };
        float[] a = new Forward(m, java).forward(q, qPos, KvCache.forModel(c), withNull, Logits.ALL);
        float[] b = new Forward(m, java).forward(q, qPos, KvCache.forModel(c), withEmpty, Logits.ALL);
        assertArrayEquals(a, b);
        for (float x : a) {
            assertTrue(Float.isFinite(x), "finite logits");
        }
        // and every layer seeing the context through ext equals the plain forward over context ++ question
        float[] withCtx = new Forward(m, java).forward(q, qPos, KvCache.forModel(c),
            (l, qq, t) -> partialOver(full, l, qq, t), Logits.ALL);
        float[] plain = new Forward(m, java).forward(q, qPos, full.slice(0, ctx.length), null, Logits.ALL);
        assertArrayEquals(plain, withCtx, 1e-4f);
        assertFalse(Arrays.equals(a, withCtx), "hiding the context from odd layers changes the logits");
    }

    private Partial partialOver(KvCache ctx, int layer, float[] q, int tokens) {
        float[] out = new float[tokens * c.qDim()];
        float[] lse = new float[tokens * c.heads()];
        java.attention(AttentionShape.full(tokens, ctx.length(), c.heads(), c.kvHeads(), c.headDim()), q,
            ctx.keys(layer), ctx.values(layer), out, lse);
        return new Partial(out, lse);
    }

    @Test
    void generatorMaxNewOneAndZero() {
        int[] prompt = m.tokenizer().encode("Once upon a time", true, true);
        int[] golden = Stories.ints(Stories.golden().get("greedy").get("ids"));
        Generator g = new Generator(m, java);
        assertArrayEquals(new int[] {golden[0]}, g.generate(prompt, 1, Sampler.greedy()).ids());
        assertEquals(0, g.generate(prompt, 0, Sampler.greedy()).ids().length);
        assertArrayEquals(Arrays.copyOf(golden, 5), g.generate(prompt, 5, Sampler.greedy()).ids());
    }

    /**
     * Positions continue after the prompt: one batch over prompt ++ ids (positions 0..n-1) picks every id again.
     * (EOS stopping is tested through Generator's eos parameter with a chosen EOS id: stories260K, like llama2.c's TinyStories models,
     * ends stories with BOS and never samples its EOS.)
     */
    @Test
    void generatedTokensAreTheArgmaxOfOneBatchOverPromptAndOutput() {
        int[] prompt = m.tokenizer().encode("Lily and Tom went to the park.", true, true);
        int[] ids = new Generator(m, java).generate(prompt, 60, Sampler.greedy()).ids();
        assertEquals(60, ids.length);
        int[] all = IntStream.concat(IntStream.of(prompt), IntStream.of(ids)).toArray();
        float[] logits = new Forward(m, java).forward(all, Stories.range(0, all.length), KvCache.forModel(c), null,
            Logits.ALL);
        int v = c.vocabSize();
        for (int i = 0; i < ids.length; i++) {
            int row = prompt.length - 1 + i;
            assertEquals(ids[i], Sampler.argmax(Arrays.copyOfRange(logits, row * v, (row + 1) * v)), "token " + i);
        }
    }
}
