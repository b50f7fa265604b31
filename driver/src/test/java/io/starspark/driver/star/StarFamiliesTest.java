package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.Kernels;
import io.starspark.model.Forward;
import io.starspark.model.Generator;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Logits;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.model.Oracle;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.workers.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Star Attention on Spark for each model family (the synthetic llama3/qwen2/qwen3 tiny shapes with their
 * real vocabularies): with one block covering the context it equals full attention (same graph, same
 * positions), and with small blocks it equals the same blockwise computation done by hand with Forward
 * (every block after the anchor, at true global positions, RoPE in the family's style).
 */
class StarFamiliesTest {
    static final long SEED = 20261202L;

    @TempDir
    Path tmp;

    private Path model(String shape) {
        Path gguf = tmp.resolve(shape + ".gguf");
        SyntheticModels.write(shape, "f32", 1, Oracle.tokenizerDir(SyntheticModels.shape(shape).tokenizer()), gguf);
        return gguf;
    }

    private static int[] ids(SplittableRandom r, int n) {
        return IntStream.range(0, n).map(i -> 3 + r.nextInt(100_000)).toArray();
    }

    /** K/V goes to a folder per plan (a document's stored K/V belongs to one block/anchor size). */
    private StarRequest request(Path model, int[] context, int[] question, int block, int anchor) {
        return StarRequest.builder().model(model.toString()).context(context).question(question).maxNewTokens(8)
                .blocks(block, anchor, 16).kvDir(tmp.resolve("kv-" + block + "-" + anchor).toUri().toString())
                .dtype(KvDtype.F32).kernels(KernelsChoice.JAVA).partitions(1).build();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"llama3-tiny", "qwen2-tiny", "qwen3-tiny"})
    void oneBlockStarEqualsFullAndSmallBlocksRun(String shape) {
        System.out.println("StarFamiliesTest seed=" + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        int[] context = ids(r, 96);
        int[] question = ids(r, 6);
        Path gguf = model(shape);
        LlamaModel model = ModelRegistry.get(gguf.toString());
        int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
        Generator.Result full = new Generator(model, KernelBackends.select(KernelsChoice.JAVA))
                .generate(prompt, 0, null, 8, Sampler.greedy(), -1);
        try (JavaSparkContext jsc = StarGoldenTest.spark("local[1]")) {
            StarAnswer one = StarRunner.answer(jsc, request(gguf, context, question, 128, 32), Sampler.greedy());
            assertEquals(1, one.prefill().blocks());
            double maxDiff = 0;
            for (int i = 0; i < full.firstLogits().length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(full.firstLogits()[i] - one.firstLogits()[i]));
            }
            System.out.printf("%s: max |logit star(one block) - full| = %.3g%n", shape, maxDiff);
            assertTrue(maxDiff <= 1e-4, shape + ": max |Δ logit| star(one block) vs full = " + maxDiff);
            assertArrayEquals(firstIds(full.ids(), one.ids().length), one.ids(), shape + ": one-block star = full ids");

            StarAnswer small = StarRunner.answer(jsc, request(gguf, context, question, 32, 16), Sampler.greedy());
            assertEquals(3, small.prefill().blocks());
            assertEquals(8, small.ids().length, shape + ": small-block star answers");
            float[] byHand = starByHand(model, context, question, 32, 16);
            double diff = 0;
            double fromFull = 0;
            for (int i = 0; i < byHand.length; i++) {
                diff = Math.max(diff, Math.abs(byHand[i] - small.firstLogits()[i]));
                fromFull = Math.max(fromFull, Math.abs(full.firstLogits()[i] - small.firstLogits()[i]));
            }
            System.out.printf("%s: blocks of 32, anchor 16: max |logit star - by hand| = %.3g, star - full = %.3g%n",
                    shape, diff, fromFull);
            assertTrue(diff <= 1e-4, shape + ": star with small blocks vs the same computation by hand: " + diff);
            assertTrue(fromFull > 1e-2, shape + ": small blocks should differ from full attention (" + fromFull + ")");
        }
    }

    /**
     * Star Attention's first answer logits computed directly with {@link Forward}: block 0 alone, every
     * later block after the anchor (the context's first {@code anchor} tokens at positions 0..), each at its
     * true global positions, keeping only the block's own K/V rows; then the question over all kept rows.
     */
    private static float[] starByHand(LlamaModel m, int[] context, int[] question, int block, int anchor) {
        LlamaConfig c = m.config();
        Kernels kernels = KernelBackends.select(KernelsChoice.JAVA);
        int n = context.length;
        int row = c.kvDim();
        float[][] keys = new float[c.layers()][n * row]; // [layers][n][kvHeads][headDim]
        float[][] values = new float[c.layers()][n * row];
        for (int from = 0; from < n; from += block) {
            int to = Math.min(n, from + block);
            int a = from == 0 ? 0 : anchor;
            int[] tokens = IntStream.concat(IntStream.range(0, a), IntStream.range(from, to)).map(i -> context[i])
                    .toArray();
            int[] positions = IntStream.concat(IntStream.range(0, a), IntStream.range(from, to)).toArray();
            KvCache cache = KvCache.forModel(c);
            new Forward(m, kernels).forward(tokens, positions, cache, null, Logits.NONE);
            for (int l = 0; l < c.layers(); l++) {
                System.arraycopy(cache.keys(l), a * row, keys[l], from * row, (to - from) * row);
                System.arraycopy(cache.values(l), a * row, values[l], from * row, (to - from) * row);
            }
        }
        KvCache all = new KvCache(c.layers(), c.kvHeads(), c.headDim(), n);
        for (int l = 0; l < c.layers(); l++) {
            all.append(l, keys[l], values[l], n);
        }
        return new Forward(m, kernels).forward(question, IntStream.range(n, n + question.length).toArray(), all,
                null, Logits.LAST);
    }

    /** Star stops at the model's EOS, the full run here does not: compare the common prefix. */
    private static int[] firstIds(int[] ids, int n) {
        return java.util.Arrays.copyOf(ids, n);
    }
}
