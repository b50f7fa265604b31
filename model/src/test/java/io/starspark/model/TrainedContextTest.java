package io.starspark.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.model.synth.SyntheticModels;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests past the model's trained context ({@code <arch>.context_length}) run (Star Attention exists for long
 * contexts) and are logged once per model, as a warning naming both numbers: on a stories260k-shaped synthetic
 * model whose file says it was trained for {@link #TRAINED} positions. Full attention past it computes what it
 * computes below it (no truncation or window starts at the trained length); a question placed after a context
 * held elsewhere (Star's phase 2) counts the context's positions too.
 */
class TrainedContextTest {
    static final int TRAINED = 32;
    static final int[] PROMPT = IntStream.range(0, 24).map(i -> 3 + 17 * i % 509).toArray();
    private final Kernels kernels = new ReferenceKernels();

    @TempDir
    static Path dir;
    static Path file;

    @BeforeAll
    static void write() {
        file = dir.resolve("trained-32.gguf");
        SyntheticModels.writer(SyntheticModels.shape("stories260k"), "f32", 11L)
            .putUint32("llama.context_length", TRAINED).write(file);
    }

    /** A fresh instance: the warning is once per loaded model. */
    static LlamaModel model() {
        LlamaModel m = LlamaModel.load(file);
        assertEquals(TRAINED, m.config().contextLength());
        return m;
    }

    static String warning(int positions) {
        return positions + " positions requested, past the model's trained context of " + TRAINED
            + " (llama.context_length in trained-32.gguf); running anyway (further requests past it are not logged again)";
    }

    @Test
    void fullAttentionRunsPastTheTrainedContextAndWarnsOnceWithBothNumbers() {
        Generator g = new Generator(model(), kernels);
        try (LogEvents log = LogEvents.warnings(LlamaModel.class)) {
            int[] inside = g.generate(PROMPT, 0, null, 8, Sampler.greedy(), -1).ids(); // 32 positions: at the limit
            assertEquals(List.of(), log.messages(), "a request of exactly the trained context is not past it");

            int[] past = g.generate(PROMPT, 0, null, 16, Sampler.greedy(), -1).ids(); // 40 positions
            assertEquals(List.of(warning(40)), log.messages());
            assertEquals(16, past.length, "every requested token is generated past the trained context");
            assertArrayEquals(inside, Arrays.copyOf(past, inside.length),
                "the positions below the trained context are computed as in a request that stays below it");

            g.generate(PROMPT, 0, null, 26, Sampler.greedy(), -1);
            assertEquals(List.of(warning(40)), log.messages(), "logged once per model");
        }
    }

    @Test
    void aQuestionAfterAContextHeldElsewhereCountsTheContextsPositions() {
        LlamaModel m = model();
        int[] context = Arrays.copyOf(PROMPT, 28);
        KvCache held = KvCache.forModel(m.config());
        new Forward(m, kernels).forward(context, IntStream.range(0, context.length).toArray(), held, null, Logits.NONE);
        ExternalAttention star = ForwardTest.partialOver(m, kernels, held);
        int[] question = {5, 6, 7};
        Generator g = new Generator(m, kernels);
        try (LogEvents log = LogEvents.warnings(LlamaModel.class)) {
            g.generate(question, context.length, star, 1, Sampler.greedy(), -1); // 28 + 3 + 1 = 32: at the limit
            assertEquals(List.of(), log.messages());
            int[] ids = g.generate(question, context.length, star, 4, Sampler.greedy(), -1).ids(); // 35
            assertEquals(List.of(warning(35)), log.messages());
            assertEquals(4, ids.length);
            g.generate(question, context.length, star, 4, Sampler.greedy(), -1);
            assertEquals(List.of(warning(35)), log.messages(), "logged once per model");
        }
    }
}
