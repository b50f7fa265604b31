package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.driver.eval.Haystack;
import io.starspark.kernels.KvDtype;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.model.Tokenizer;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.SparseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Sparse (Quest) decoding: exact when the budget covers every page; finds the needle with a small budget. */
class SparseNeedleTest {
    static final Path SHARED = StarGoldenTest.SHARED;
    static final String NEEDLE = SHARED.resolve("models/needle-retriever.gguf").toString();
    static final Path VOCAB = Path.of(NEEDLE + ".vocab.json");
    static JavaSparkContext jsc;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        jsc = StarGoldenTest.spark("local[2]");
    }

    @AfterAll
    static void stop() {
        jsc.close();
    }

    StarRequest request(int[] context, int[] question, int block, SparseSettings sparse) {
        return StarRequest.builder().model(NEEDLE).context(context).question(question).maxNewTokens(1)
                .blocks(block, block, 64).kvDir(tmp.toUri().toString()).dtype(KvDtype.F32)
                .kernels(StarGoldenTest.KERNELS).sparse(sparse).partitions(2).build();
    }

    @Test
    void sparseWithEveryPageEqualsExact() throws IOException {
        LlamaModel model = ModelRegistry.get(NEEDLE);
        Tokenizer tok = model.tokenizer();
        Haystack h = Haystack.make(VOCAB, 7, 1500, 0.3);
        int[] context = tok.encode(h.text(), true, true);
        int[] question = tok.encode(" " + h.key(), false, false);
        StarAnswer exact = StarRunner.answer(jsc, request(context, question, 512, null), Sampler.greedy());
        int pages = (context.length + 63) / 64;
        StarAnswer sparse = StarRunner.answer(jsc, request(context, question, 512, new SparseSettings(pages, 1, 1)),
                Sampler.greedy());
        assertTrue(sparse.prefill().reused(), "second question reuses the committed prefill");
        double maxDiff = 0;
        for (int i = 0; i < exact.firstLogits().length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(exact.firstLogits()[i] - sparse.firstLogits()[i]));
        }
        assertTrue(maxDiff <= 1e-5, "sparse(all pages) vs exact max |Δ logit| = " + maxDiff);
        assertArrayEquals(exact.ids(), sparse.ids());
    }

    @Test
    void smallBudgetFindsTheNeedleAtEveryDepth() throws IOException {
        LlamaModel model = ModelRegistry.get(NEEDLE);
        Tokenizer tok = model.tokenizer();
        double[] depths = {0.05, 0.3, 0.5, 0.75, 0.95};
        for (int i = 0; i < depths.length; i++) {
            Haystack h = Haystack.make(VOCAB, 100 + i, 4000, depths[i]);
            int[] context = tok.encode(h.text(), true, true);
            int[] question = tok.encode(" " + h.key(), false, false);
            int[] expected = tok.encode(" " + h.value(), false, false);
            assertEquals(1, expected.length, "value is one token");
            SparseSettings budget = new SparseSettings(4, 1, 1);
            StarAnswer a = StarRunner.answer(jsc, request(context, question, 1024, budget), Sampler.greedy());
            assertTrue(a.pagesPerStep() <= budget.budget() * model.config().kvHeads(),
                    "pages read per step " + a.pagesPerStep());
            assertEquals(h.value(), tok.decode(a.ids()).strip(), "needle at depth " + depths[i] + " of "
                    + context.length + " tokens (" + (context.length + 63) / 64 + " pages, budget " + budget + ")");
        }
    }
}
