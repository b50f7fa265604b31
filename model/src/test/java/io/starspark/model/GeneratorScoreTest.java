package io.starspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link Generator#score} (teacher forcing in one pass) against its reference twin, one {@link Generator#generate}
 * per prefix: with reference kernels every row is computed on its own, so row i equals the first logits of the
 * prefix exactly.
 */
class GeneratorScoreTest {
    private final Kernels kernels = new ReferenceKernels();
    private final LlamaModel m = Stories.model();
    private final int vocab = m.config().vocabSize();
    private final Generator g = new Generator(m, kernels);

    @Test
    void everyRowEqualsTheFirstLogitsOfItsPrefix() {
        int[] prompt = m.tokenizer().encode("Lily and Tom went to the park. They saw a big dog.", true, true);
        int scored = 6;
        float[] rows = g.score(prompt, 0, null, scored);
        assertEquals(scored * vocab, rows.length);
        for (int i = 0; i < scored; i++) {
            int[] prefix = Arrays.copyOf(prompt, prompt.length - scored + i + 1);
            float[] first = g.generate(prefix, 0, null, 1, Sampler.greedy(), m.tokenizer().eos()).firstLogits();
            assertArrayEquals(first, Arrays.copyOfRange(rows, i * vocab, (i + 1) * vocab), "row " + i);
        }
    }

    @Test
    void overExternalKeysEveryRowEqualsTheFirstLogitsOfItsPrefix() {
        int[] ctx = m.tokenizer().encode("Once upon a time, there was a little girl named Lily.", true, true);
        KvCache kv = KvCache.forModel(m.config());
        new Forward(m, kernels).forward(ctx, Stories.range(0, ctx.length), kv, null, Logits.NONE);
        ExternalAttention context = ForwardTest.partialOver(m, kernels, kv);
        int[] question = m.tokenizer().encode(" She liked to play with her ball", false, false);
        float[] rows = g.score(question, ctx.length, context, question.length);
        for (int i = 0; i < question.length; i++) {
            float[] first = g.generate(Arrays.copyOf(question, i + 1), ctx.length, context, 1, Sampler.greedy(),
                    m.tokenizer().eos()).firstLogits();
            assertArrayEquals(first, Arrays.copyOfRange(rows, i * vocab, (i + 1) * vocab), "row " + i);
        }
    }

    @Test
    void oneScoredRowIsTheFirstLogitsOfTheWholePrompt() {
        int[] prompt = m.tokenizer().encode("Once upon a time", true, true);
        assertArrayEquals(g.generate(prompt, 0, null, 1, Sampler.greedy(), m.tokenizer().eos()).firstLogits(),
                g.score(prompt, 0, null, 1));
    }

    @Test
    void scoredOutsideThePromptIsABug() {
        int[] prompt = {1, 2, 3};
        assertThrows(IllegalArgumentException.class, () -> g.score(prompt, 0, null, 0));
        assertThrows(IllegalArgumentException.class, () -> g.score(prompt, 0, null, 4));
    }
}
