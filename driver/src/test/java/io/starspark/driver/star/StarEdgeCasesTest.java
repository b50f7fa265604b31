package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.model.ExternalAttention;
import io.starspark.model.Forward;
import io.starspark.model.Generator;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.model.LogEvents;
import io.starspark.model.Logits;
import io.starspark.model.Partial;
import io.starspark.model.Sampler;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.SparseSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Star plans at their edges, end to end on {@code local[2]}: one-block plans equal full attention, multi-block
 * plans equal a direct (Spark-free) computation of the Star definition, and no answer depends on the number of
 * partitions. Sparse with a budget covering every page equals exact. F16 K/V stay close to F32.
 */
class StarEdgeCasesTest {
    static final int MAX_NEW = 8;
    static JavaSparkContext jsc;
    static LlamaModel model;
    static int[] story;    // [300] golden context ids (BOS first)
    static int[] question; // several tokens
    static final Kernels JAVA = KernelBackends.select(StarGoldenTest.KERNELS);

    @TempDir
    static Path tmp;

    @BeforeAll
    static void start() throws IOException {
        jsc = StarGoldenTest.spark("local[2]");
        model = ModelRegistry.get(StarGoldenTest.MODEL);
        story = StarGoldenTest.ints(StarGoldenTest.goldenCase().get("context_ids"));
        question = model.tokenizer().encode(" Where did they go? They went to the", false, false);
    }

    @AfterAll
    static void stop() {
        jsc.close();
    }

    static StarAnswer star(int[] context, StarPlan plan, int partitions, KvDtype dtype, SparseSettings sparse) {
        return star(StarGoldenTest.MODEL, context, plan, partitions, dtype, sparse);
    }

    static StarAnswer star(String modelPath, int[] context, StarPlan plan, int partitions, KvDtype dtype,
                           SparseSettings sparse) {
        StarRequest r = StarRequest.builder().model(modelPath).context(context).question(question)
                .maxNewTokens(MAX_NEW).blocks(plan.blockSize(), plan.anchorSize(), plan.pageSize())
                .kvDir(tmp.resolve(UUID.randomUUID().toString()).toUri().toString()).dtype(dtype)
                .kernels(StarGoldenTest.KERNELS).sparse(sparse).partitions(partitions).build();
        return StarRunner.answer(jsc, r, Sampler.greedy());
    }

    /**
     * Questions of one document answered with one {@link StarRunner.Stores} (an answer task's run) read its K/V
     * once: the second question reads nothing from the store and gets the same ids as with a store of its own;
     * another document, or a closed Stores, opens (and reads) again.
     */
    @Test
    void consecutiveQuestionsOfADocumentShareItsStore() {
        String kv = tmp.resolve(UUID.randomUUID().toString()).toUri().toString();
        StarRequest first = StarRequest.builder().model(StarGoldenTest.MODEL).context(story).question(question)
                .maxNewTokens(MAX_NEW).blocks(64, 64, 16).kvDir(kv).kernels(StarGoldenTest.KERNELS).partitions(2).build();
        int[] other = model.tokenizer().encode(" Lily", false, false);
        StarRequest second = StarRequest.builder().model(StarGoldenTest.MODEL).context(story).question(other)
                .maxNewTokens(MAX_NEW).blocks(64, 64, 16).kvDir(kv).kernels(StarGoldenTest.KERNELS).partitions(2).build();
        StarRequest shortDoc = StarRequest.builder().model(StarGoldenTest.MODEL).context(prefix(100)).question(other)
                .maxNewTokens(MAX_NEW).blocks(64, 64, 16).kvDir(kv).kernels(StarGoldenTest.KERNELS).partitions(2).build();
        PrefillReport p = StarRunner.prefill(jsc, first);
        PrefillReport q = StarRunner.prefill(jsc, shortDoc);
        StarAnswer alone = StarRunner.decode(second, p, jsc.hadoopConfiguration(), Sampler.greedy());
        assertTrue(alone.contextBytesRead() > 0, "a store of its own reads the K/V");
        try (StarRunner.Stores stores = new StarRunner.Stores()) {
            StarAnswer a = StarRunner.decode(first, p, jsc.hadoopConfiguration(), Sampler.greedy(), stores);
            StarAnswer b = StarRunner.decode(second, p, jsc.hadoopConfiguration(), Sampler.greedy(), stores);
            assertEquals(alone.contextBytesRead(), a.contextBytesRead(), "the first question reads as much as alone");
            assertEquals(0, b.contextBytesRead(), "the second question is served from the shared page cache");
            assertArrayEquals(alone.ids(), b.ids(), "same ids as with a store of its own");
            assertTrue(StarRunner.decode(shortDoc, q, jsc.hadoopConfiguration(), Sampler.greedy(), stores)
                    .contextBytesRead() > 0, "another document opens its own store");
            assertTrue(StarRunner.decode(second, p, jsc.hadoopConfiguration(), Sampler.greedy(), stores)
                    .contextBytesRead() > 0, "back to the first document: opened again");
            stores.close();
            assertTrue(StarRunner.decode(second, p, jsc.hadoopConfiguration(), Sampler.greedy(), stores)
                    .contextBytesRead() > 0, "after close: opened again");
        }
    }

    static int[] prefix(int n) {
        return Arrays.copyOf(story, n);
    }

    static float maxDiff(float[] a, float[] b) {
        float m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** Full attention over context ++ question: the first token's logits. */
    static float[] fullFirstLogits(int[] context) {
        int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
        return new Forward(model, JAVA).forward(prompt, IntStream.range(0, prompt.length).toArray(),
                KvCache.forModel(model.config()), null, Logits.LAST);
    }

    /** Star by its definition, without Spark or a store: per block anchor ++ block, keep the block's rows. */
    static float[] directStarFirstLogits(int[] context, StarPlan plan) {
        LlamaConfig c = model.config();
        KvCache kept = KvCache.forModel(c);
        for (Block b : plan.blocks()) {
            int a = b.index() == 0 ? 0 : Math.min(plan.anchorSize(), context.length);
            int[] tokens = IntStream.concat(IntStream.range(0, a), IntStream.range(b.start(), b.end()))
                    .map(i -> context[i]).toArray();
            int[] positions = IntStream.concat(IntStream.range(0, a), IntStream.range(b.start(), b.end())).toArray();
            KvCache run = KvCache.forModel(c);
            new Forward(model, JAVA).forward(tokens, positions, run, null, Logits.NONE);
            KvCache rows = run.slice(a, tokens.length);
            for (int l = 0; l < c.layers(); l++) {
                kept.append(l, rows.keys(l), rows.values(l), rows.length());
            }
        }
        int[] qPos = IntStream.range(context.length, context.length + question.length).toArray();
        return new Forward(model, JAVA).forward(question, qPos, kept, null, Logits.LAST);
    }

    @Test
    void oneBlockPlansEqualFullAttention() {
        StarPlan[] plans = {
            StarPlan.of(1, 16, 8, 16),     // just BOS
            StarPlan.of(5, 32, 16, 16),    // context shorter than the anchor
            StarPlan.of(64, 64, 64, 64),   // context = blockSize = pageSize
            StarPlan.of(300, 320, 64, 16), // the golden context in one block
        };
        for (StarPlan plan : plans) {
            int[] context = prefix(plan.contextLength());
            int[] fullIds = new Generator(model, JAVA).generate(
                    IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray(), MAX_NEW, Sampler.greedy()).ids();
            StarAnswer exact = star(context, plan, 2, KvDtype.F32, null);
            assertEquals(1, exact.prefill().blocks(), plan.toString());
            float d = maxDiff(fullFirstLogits(context), exact.firstLogits());
            assertTrue(d <= 1e-4, plan + ": max |Δ logit| star vs full = " + d);
            assertArrayEquals(fullIds, exact.ids(), plan + ": star ids = full ids");
            StarAnswer sparse = star(context, plan, 2, KvDtype.F32, new SparseSettings(plan.pageCount(), 0, 0));
            assertTrue(maxDiff(exact.firstLogits(), sparse.firstLogits()) <= 1e-5, plan + ": sparse(all pages) = exact");
            assertArrayEquals(exact.ids(), sparse.ids(), plan + ": sparse(all pages) ids");
        }
    }

    @Test
    void multiBlockPlansMatchTheDefinitionOnAnyNumberOfPartitions() {
        StarPlan[] plans = {
            StarPlan.of(300, 64, 32, 16),  // anchor < block, short last block (44)
            StarPlan.of(257, 32, 16, 16),  // last block of 1 token (and 1-token last page)
            StarPlan.of(256, 32, 8, 32),   // exact multiple of blockSize; pageSize = blockSize
            StarPlan.of(300, 16, 16, 16),  // 19 blocks, anchor = block = page
            StarPlan.of(300, 128, 64, 16), // 3 blocks: fewer blocks than partitions below
        };
        for (StarPlan plan : plans) {
            int[] context = prefix(plan.contextLength());
            StarAnswer one = star(context, plan, 1, KvDtype.F32, null);
            float d = maxDiff(directStarFirstLogits(context, plan), one.firstLogits());
            assertTrue(d <= 1e-4, plan + ": max |Δ logit| Spark star vs direct definition = " + d);
            for (int partitions : new int[] {2, 5, 40}) {
                StarAnswer many = star(context, plan, partitions, KvDtype.F32, null);
                assertArrayEquals(one.firstLogits(), many.firstLogits(), plan + " on " + partitions + " partitions");
                assertArrayEquals(one.ids(), many.ids(), plan + " on " + partitions + " partitions");
            }
            SparseSettings everyPage = new SparseSettings(1, plan.pageCount(), plan.pageCount()); // sink+local > pages
            StarAnswer sparse = star(context, plan, 3, KvDtype.F32, everyPage);
            assertTrue(maxDiff(one.firstLogits(), sparse.firstLogits()) <= 1e-5, plan + ": sparse(all pages) = exact");
            assertArrayEquals(one.ids(), sparse.ids(), plan + ": sparse(all pages) ids");
        }
    }

    @Test
    void f16KvStaysCloseToF32() {
        StarPlan plan = StarPlan.of(300, 64, 32, 16);
        StarAnswer f32 = star(story, plan, 2, KvDtype.F32, null);
        StarAnswer f16 = star(story, plan, 2, KvDtype.F16, null);
        float d = maxDiff(f32.firstLogits(), f16.firstLogits());
        System.out.println("F16 vs F32 K/V: max |Δ first logit| = " + d);
        assertTrue(d > 0 && d <= 0.02, "F16 vs F32 max |Δ logit| = " + d);
        assertArrayEquals(f32.ids(), f16.ids(), "F16 greedy ids = F32 greedy ids");
        assertEquals(f32.prefill().kvBytes(), 2 * f16.prefill().kvBytes(), "F16 K/V take half the bytes");
        StarAnswer sparse = star(story, plan, 2, KvDtype.F16, new SparseSettings(plan.pageCount(), 1, 1));
        assertTrue(maxDiff(f16.firstLogits(), sparse.firstLogits()) <= 1e-5, "F16 sparse(all pages) = F16 exact");
    }

    /** Exact attention over every row of {@code ctx} (a context held in a cache). */
    static ExternalAttention over(KvCache ctx) {
        LlamaConfig c = model.config();
        return (layer, q, tokens) -> {
            float[] out = new float[tokens * c.qDim()];
            float[] lse = new float[tokens * c.heads()];
            JAVA.attention(AttentionShape.full(tokens, ctx.length(), c.heads(), c.kvHeads(), c.headDim()), q,
                    ctx.keys(layer), ctx.values(layer), out, lse);
            return new Partial(out, lse);
        };
    }

    @Test
    void decoderContinuesPositionsStopsAtEosAndHonoursMaxNew() {
        int[] context = prefix(100);
        KvCache ctx = KvCache.forModel(model.config());
        new Forward(model, JAVA).forward(context, IntStream.range(0, 100).toArray(), ctx, null, Logits.NONE);
        int[] fullIds = new Generator(model, JAVA).generate(
                IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray(), 20, Sampler.greedy()).ids();
        int eos = model.tokenizer().eos();
        Generator g = new Generator(model, JAVA);
        assertArrayEquals(fullIds, g.generate(question, 100, over(ctx), 20, Sampler.greedy(), eos).ids());
        assertArrayEquals(Arrays.copyOf(fullIds, 1), g.generate(question, 100, over(ctx), 1, Sampler.greedy(), eos).ids());
        int stop = IntStream.range(0, fullIds.length).filter(i -> fullIds[i] != fullIds[0]).findFirst().orElseThrow();
        Generator.Result r = g.generate(question, 100, over(ctx), 20, Sampler.greedy(), fullIds[stop]);
        assertArrayEquals(Arrays.copyOf(fullIds, stop), r.ids(), "stops before the first EOS (here id " + fullIds[stop] + ")");
        Generator.Result first = g.generate(question, 100, over(ctx), 20, Sampler.greedy(), fullIds[0]);
        assertEquals(0, first.ids().length, "EOS as the very first token gives an empty answer");
    }

    /**
     * Star past the model's trained context ({@code llama.context_length} 64 in a synthetic stories260k-shaped file,
     * 100 context tokens): it runs, equals full attention when one block holds the context, and the model logs one
     * warning naming the requested positions (context + question + new tokens) and the trained context, not one
     * per request.
     */
    @Test
    void starPastTheTrainedContextRunsAndWarnsOnce() {
        Path file = tmp.resolve("trained-64.gguf");
        SyntheticModels.writer(SyntheticModels.shape("stories260k"), "f32", 3L).putUint32("llama.context_length", 64)
                .write(file);
        StarPlan plan = StarPlan.of(100, 128, 64, 16);
        int[] context = prefix(plan.contextLength());
        int positions = context.length + question.length + MAX_NEW;
        String warning = positions + " positions requested, past the model's trained context of 64 (llama.context_length"
                + " in trained-64.gguf); running anyway (further requests past it are not logged again)";
        StarAnswer first;
        try (LogEvents log = LogEvents.warnings(LlamaModel.class)) {
            first = star(file.toString(), context, plan, 2, KvDtype.F32, null);
            assertEquals(List.of(warning), log.messages());
            StarAnswer again = star(file.toString(), context, plan, 2, KvDtype.F32, null);
            assertEquals(List.of(warning), log.messages(), "logged once per model");
            assertArrayEquals(first.ids(), again.ids());
        }
        int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
        int[] full = new Generator(LlamaModel.load(file), JAVA).generate(prompt, MAX_NEW, Sampler.greedy()).ids();
        assertArrayEquals(full, first.ids(), "star with one block = full attention, past the trained context");
    }
}
