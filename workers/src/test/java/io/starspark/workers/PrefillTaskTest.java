package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.Manifest;
import io.starspark.kv.PageKv;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.sharding.StarPlan;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phase 1 outside Spark (no task context: one thread, executor "local", attempt 0) on stories260K with the
 * reference kernels: each block's stored K/V are exactly the block's rows of a forward over anchor ++ block at
 * the true positions (block 0: the prefix alone), and the returned stats count what was written.
 */
class PrefillTaskTest {
    static final Path SHARED = Path.of(System.getProperty("starspark.shared", "../../shared"));
    static final String MODEL = SHARED.resolve("models/stories260K.gguf").toString();
    static final long SEED = Long.getLong("starspark.test.seed", 20261206L);

    @TempDir
    Path tmp;

    private static int[] context(LlamaConfig c, int n) {
        System.out.println("PrefillTaskTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        return IntStream.range(0, n).map(i -> 1 + r.nextInt(c.vocabSize() - 1)).toArray();
    }

    /** The block's spec as the planner's arithmetic gives it: anchor {@code [0, A)} ++ block {@code [start, end)}. */
    private static BlockSpec spec(int[] context, int index, int start, int end, int anchor) {
        int[] run = IntStream.concat(IntStream.range(0, anchor), IntStream.range(start, end)).toArray();
        return new BlockSpec(index, start, Arrays.stream(run).map(i -> context[i]).toArray(), run, anchor);
    }

    /** [layers][kept tokens][kvHeads][headDim] keys and values of a forward over the spec's run, kept rows only. */
    private static float[][][] expected(LlamaModel m, BlockSpec spec) {
        LlamaConfig c = m.config();
        KvCache cache = new KvCache(c.layers(), c.kvHeads(), c.headDim(), spec.tokens().length);
        new Forward(m, new ReferenceKernels()).forward(spec.tokens(), spec.positions(), cache, null, Logits.NONE);
        int row = c.kvHeads() * c.headDim();
        float[][][] kv = new float[2][c.layers()][];
        for (int l = 0; l < c.layers(); l++) {
            kv[0][l] = Arrays.copyOfRange(cache.keys(l), spec.keptOffset() * row, spec.tokens().length * row);
            kv[1][l] = Arrays.copyOfRange(cache.values(l), spec.keptOffset() * row, spec.tokens().length * row);
        }
        return kv;
    }

    private static List<BlockResult> call(PrefillWork... works) {
        List<BlockResult> results = new ArrayList<>();
        new PrefillTask().call(List.of(works).iterator()).forEachRemaining(results::add);
        return results;
    }

    @Test
    void storesExactlyEachBlocksRowsAndCountsTheirBytes() {
        LlamaModel m = ModelRegistry.get(MODEL);
        LlamaConfig c = m.config();
        StarPlan plan = StarPlan.of(80, 32, 16, 16); // blocks [0,32) [32,64) [64,80), anchor 16
        KvLayout layout = new KvLayout(c.layers(), c.kvHeads(), c.headDim(), plan.pageSize(), KvDtype.F32);
        int[] context = context(c, plan.contextLength());
        String binding = Manifest.of("doc-prefill", "model", layout, plan, context, "test").binding();
        URI root = tmp.resolve("doc").toUri();
        List<BlockSpec> specs = List.of(spec(context, 0, 0, 32, 0), spec(context, 1, 32, 64, 16),
                spec(context, 2, 64, 80, 16));
        PrefillConf conf = new PrefillConf(MODEL, root.toString(), layout, binding, KernelsChoice.REFERENCE, new int[0]);
        List<BlockResult> results = call(new PrefillWork(4, conf, specs.subList(0, 2)),
                new PrefillWork(4, conf, specs.subList(2, 3)));

        assertEquals(List.of(0, 1, 2), results.stream().map(BlockResult::blockIndex).toList());
        assertEquals(List.of(4, 4, 4), results.stream().map(BlockResult::doc).toList());
        int row = c.kvHeads() * c.headDim();
        for (BlockResult r : results) {
            int kept = specs.get(r.blockIndex()).keptLength();
            assertEquals(2L * c.layers() * kept * row * Float.BYTES, r.kvBytes(), "block " + r.blockIndex());
            assertEquals("local", r.executorId());
            assertEquals(0, r.attempt());
            assertTrue(r.peakHeapBytes() > 0 && r.peakHeapBytes() <= PrefillTask.peakHeapBytes(), r.toString()); // peaks only grow
        }
        try (KvStore store = HadoopKvStore.open(root, new Configuration(), layout, binding, 0)) {
            for (BlockSpec spec : specs) {
                float[][][] want = expected(m, spec);
                int[] pages = plan.pagesOf(plan.block(spec.blockIndex()));
                for (int l = 0; l < c.layers(); l++) {
                    PageKv got = store.readPages(l, pages);
                    assertEquals(spec.firstToken(), got.pageStart()[0], "block " + spec.blockIndex());
                    assertArrayEquals(want[0][l], got.k(), 0f, "keys of block " + spec.blockIndex() + " layer " + l);
                    assertArrayEquals(want[1][l], got.v(), 0f, "values of block " + spec.blockIndex() + " layer " + l);
                }
            }
            // block 0 runs alone: its K/V are the prefix's, as a full causal forward over the context has them
            KvCache full = new KvCache(c.layers(), c.kvHeads(), c.headDim(), context.length);
            new Forward(m, new ReferenceKernels()).forward(context, IntStream.range(0, context.length).toArray(), full,
                    null, Logits.NONE);
            assertArrayEquals(Arrays.copyOf(full.keys(3), 32 * row), store.readPages(3, new int[] {0, 1}).k(), 1e-6f);
        }
    }

    @Test
    void theFailureHookFailsTheFirstAttemptAfterTheBlockIsWritten() {
        LlamaModel m = ModelRegistry.get(MODEL);
        LlamaConfig c = m.config();
        StarPlan plan = StarPlan.of(32, 16, 16, 16);
        KvLayout layout = new KvLayout(c.layers(), c.kvHeads(), c.headDim(), plan.pageSize(), KvDtype.F16);
        int[] context = context(c, plan.contextLength());
        String binding = Manifest.of("doc-hook", "model", layout, plan, context, "test").binding();
        URI root = tmp.resolve("hook").toUri();
        PrefillConf conf = new PrefillConf(MODEL, root.toString(), layout, binding, KernelsChoice.REFERENCE,
                new int[] {1});
        assertFalse(conf.failsFirstAttempt(0));
        assertTrue(conf.failsFirstAttempt(1));
        List<BlockSpec> specs = List.of(spec(context, 0, 0, 16, 0), spec(context, 1, 16, 32, 16));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> call(new PrefillWork(0, conf, specs)));
        assertEquals("injected failure after writing block 1 (test hook PrefillConf.failFirstAttemptBlocks)",
                e.getMessage());
        try (KvStore store = HadoopKvStore.open(root, new Configuration(), layout, binding, 0)) {
            assertEquals(16, store.readPages(0, new int[] {1}).tokens(), "block 1 was written before the failure");
        }
        // without the hook the same block returns its F16 byte count
        PrefillConf plain = new PrefillConf(MODEL, root.toString(), layout, binding, KernelsChoice.REFERENCE, new int[0]);
        List<BlockResult> results = call(new PrefillWork(1, plain, specs.subList(1, 2)));
        assertEquals(2L * c.layers() * 16 * c.kvHeads() * c.headDim() * 2, results.get(0).kvBytes());
        assertEquals(1, results.get(0).doc());
    }

    @Test
    void blockSpecsAndConfsAreChecked() {
        assertEquals("block 3: 2 tokens but 1 positions", assertThrows(IllegalArgumentException.class,
                () -> new BlockSpec(3, 0, new int[] {1, 2}, new int[] {0}, 0)).getMessage());
        assertEquals("block 3: keptOffset 2 outside run of 2", assertThrows(IllegalArgumentException.class,
                () -> new BlockSpec(3, 0, new int[] {1, 2}, new int[] {0, 1}, 2)).getMessage());
        assertEquals("block 3: keptOffset -1 outside run of 2", assertThrows(IllegalArgumentException.class,
                () -> new BlockSpec(3, 0, new int[] {1, 2}, new int[] {0, 1}, -1)).getMessage());
        assertEquals(1, new BlockSpec(3, 9, new int[] {1, 2}, new int[] {0, 9}, 1).keptLength());
        assertEquals(2, new BlockSpec(0, 0, new int[] {1, 2}, new int[] {0, 1}, 0).keptLength());
        KvLayout layout = new KvLayout(1, 1, 8, 16, KvDtype.F32);
        int[] none = new int[0];
        PrefillConf conf = new PrefillConf("m", "file:/kv", layout, "b", KernelsChoice.JAVA, none);
        BlockSpec spec = new BlockSpec(0, 0, new int[] {1}, new int[] {0}, 0);
        assertEquals("document 2: a phase-1 task without blocks", assertThrows(IllegalArgumentException.class,
                () -> new PrefillWork(2, conf, List.of())).getMessage());
        assertEquals("doc index -1 < 0", assertThrows(IllegalArgumentException.class,
                () -> new PrefillWork(-1, conf, List.of(spec))).getMessage());
        assertEquals("conf", assertThrows(NullPointerException.class,
                () -> new PrefillWork(0, null, List.of(spec))).getMessage());
        assertEquals(ArrayList.class, new PrefillWork(0, conf, List.of(spec)).blocks().getClass(), "Kryo registers ArrayList");
        assertEquals("modelPath", assertThrows(NullPointerException.class,
                () -> new PrefillConf(null, "file:/kv", layout, "b", KernelsChoice.JAVA, none)).getMessage());
        assertEquals("kvRoot", assertThrows(NullPointerException.class,
                () -> new PrefillConf("m", null, layout, "b", KernelsChoice.JAVA, none)).getMessage());
        assertEquals("layout", assertThrows(NullPointerException.class,
                () -> new PrefillConf("m", "file:/kv", null, "b", KernelsChoice.JAVA, none)).getMessage());
        assertEquals("binding", assertThrows(NullPointerException.class,
                () -> new PrefillConf("m", "file:/kv", layout, null, KernelsChoice.JAVA, none)).getMessage());
        assertEquals("kernels", assertThrows(NullPointerException.class,
                () -> new PrefillConf("m", "file:/kv", layout, "b", null, none)).getMessage());
    }

    @Test
    void localModelsLoadOncePerJvm() {
        LlamaModel m = ModelRegistry.get(MODEL);
        assertSame(m, ModelRegistry.get(MODEL));
        assertEquals(Path.of(MODEL).toAbsolutePath().normalize(), m.path());
        Path file = Path.of(MODEL).toAbsolutePath();
        assertEquals(file, ModelRegistry.localPath(file.toUri().toString()), "a file: URI is the local file");
        assertEquals(Path.of("").toAbsolutePath().resolve("a/b.gguf"), ModelRegistry.localPath("a/./c/../b.gguf"));
    }
}
