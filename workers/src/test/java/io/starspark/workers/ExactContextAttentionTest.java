package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kv.BlockKv;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.InMemoryKvStore;
import io.starspark.kv.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exact phase 2 streamed in page groups: any group size gives the partial of one attention over all context
 * keys (to float error; bit for bit when one group holds every page), and a context whose K/V is twice the
 * heap is attended in a JVM capped at 64 MiB, where reading it whole runs out of memory.
 */
class ExactContextAttentionTest {
    static final LlamaConfig C = SparseContextAttentionTest.C;
    final Kernels kernels = new ReferenceKernels();

    @TempDir
    Path tmp;

    @Test
    void anyGroupSizeEqualsOneAttentionOverAllKeys() {
        long seed = System.nanoTime();
        System.out.println("ExactContextAttentionTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        StarPlan plan = StarPlan.of(203, 32, 16, 8); // 26 pages, the last of 3 tokens
        KvLayout layout = new KvLayout(C.layers(), C.kvHeads(), C.headDim(), plan.pageSize(), KvDtype.F32);
        long pageBytes = 2L * plan.pageSize() * C.kvHeads() * C.headDim() * Float.BYTES;
        try (KvStore store = new InMemoryKvStore(layout, 0)) {
            write(store, plan, layout, r);
            int tokens = 5;
            float[] q = SparseContextAttentionTest.gaussian(r, tokens * C.qDim(), 1); // [tokens][heads][headDim]
            for (int l = 0; l < C.layers(); l++) {
                PageKv all = store.readAll(l);
                AttentionShape shape = AttentionShape.full(tokens, all.tokens(), C.heads(), C.kvHeads(), C.headDim());
                float[] out = new float[tokens * C.qDim()];
                float[] lse = new float[tokens * C.heads()];
                kernels.attention(shape, q, all.k(), all.v(), out, lse);
                Partial whole = new ExactContextAttention(store, kernels, C, plan.pageCount(), Long.MAX_VALUE)
                        .attend(l, q, tokens);
                assertArrayEquals(out, whole.out(), 0f, "one group = one read of all pages, bit for bit");
                assertArrayEquals(lse, whole.lse(), 0f);
                for (int pages : new int[] {1, 3, 7, 25}) {
                    ExactContextAttention grouped = new ExactContextAttention(store, kernels, C, plan.pageCount(),
                            pages * pageBytes);
                    assertEquals(pages, grouped.pagesPerGroup());
                    Partial p = grouped.attend(l, q, tokens);
                    String at = pages + " pages per group, layer " + l + ", seed " + seed;
                    assertArrayEquals(out, p.out(), 1e-5f, at);
                    assertArrayEquals(lse, p.lse(), 1e-5f, at);
                }
            }
        }
    }

    static void write(KvStore store, StarPlan plan, KvLayout layout, SplittableRandom r) {
        int row = layout.rowFloats();
        for (Block b : plan.blocks()) {
            float[][] bk = new float[layout.layers()][];
            float[][] bv = new float[layout.layers()][];
            for (int l = 0; l < layout.layers(); l++) {
                bk[l] = SparseContextAttentionTest.gaussian(r, b.keptLength() * row, 2);
                bv[l] = SparseContextAttentionTest.gaussian(r, b.keptLength() * row, 1);
            }
            store.writeBlock(b.index(), b.start(), new BlockKv(b.keptLength(), bk, bv));
        }
    }

    /** Runs {@link HeapProbe} in a JVM with {@code -Xmx64m}; returns its exit code and output. */
    private static String[] probe(Path root, String mode) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"), HeapProbe.class.getName(),
                root.toUri().toString(), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe timed out: " + out);
        return new String[] {Integer.toString(p.exitValue()), out};
    }

    @Test
    void attendsTwiceTheHeapInAHeapCappedJvm() throws Exception {
        Path root = tmp.resolve("doc");
        String[] written = probe(root, "write");
        assertEquals("0", written[0], written[1]);
        String[] streamed = probe(root, "stream");
        assertEquals("0", streamed[0], streamed[1]);
        assertTrue(streamed[1].contains("streamed 262144 keys"), streamed[1]);
        System.out.println("ExactContextAttentionTest -Xmx64m, 128 MiB of K/V: " + streamed[1].strip());
        String[] whole = probe(root, "whole"); // the old way: every page of the layer in memory at once
        assertTrue(!whole[0].equals("0") && whole[1].contains("OutOfMemoryError"), whole[0] + " " + whole[1]);
    }

    /** A child JVM's work: write 128 MiB of K/V, or attend over it streamed or whole. */
    public static final class HeapProbe {
        static final LlamaConfig BIG = LlamaConfig.llama(128, 1, 2, 1, 64, 64, 16, 10000, 64, 1e-5f,
                1 << 20, false);
        static final StarPlan PLAN = StarPlan.of(1 << 18, 4096, 4096, 64); // 262144 tokens: K+V 128 MiB as floats

        public static void main(String[] args) {
            KvLayout layout = new KvLayout(1, 1, 64, 64, KvDtype.F32);
            try (KvStore store = HadoopKvStore.open(java.net.URI.create(args[0]), new Configuration(), layout, 4L << 20)) {
                if (args[1].equals("write")) {
                    write(store, PLAN, layout, new SplittableRandom(7));
                    return;
                }
                long group = args[1].equals("stream") ? 1L << 20 : Long.MAX_VALUE;
                float[] q = SparseContextAttentionTest.gaussian(new SplittableRandom(8), BIG.qDim(), 1);
                Partial p = new ExactContextAttention(store, new ReferenceKernels(), BIG, PLAN.pageCount(), group)
                        .attend(0, q, 1);
                Runtime rt = Runtime.getRuntime();
                System.out.println("streamed " + PLAN.contextLength() + " keys, lse " + Arrays.toString(p.lse())
                        + ", heap used " + (rt.totalMemory() - rt.freeMemory()) + " of max " + rt.maxMemory());
            }
        }
    }
}
