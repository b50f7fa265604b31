package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.ReferenceKernels;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import io.starspark.sharding.StarPlan;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Exact phase 2's memory: a context whose K/V is twice the heap is attended in a JVM capped at 64 MiB, where
 * reading it whole runs out of memory. Runs in child JVMs, so mutation testing leaves it out (it cannot see
 * mutants there); {@link ExactContextAttentionTest} checks the numbers.
 */
class ExactContextAttentionHeapTest {

    @TempDir
    Path tmp;

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
        System.out.println("ExactContextAttentionHeapTest -Xmx64m, 128 MiB of K/V: " + streamed[1].strip());
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
            try (KvStore store = HadoopKvStore.open(java.net.URI.create(args[0]), new Configuration(), layout,
                    ExactContextAttentionTest.binding(layout, PLAN), 4L << 20)) {
                if (args[1].equals("write")) {
                    ExactContextAttentionTest.write(store, PLAN, layout, new SplittableRandom(7));
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
