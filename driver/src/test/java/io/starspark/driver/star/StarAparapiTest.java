package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.aparapi.AparapiKernels;
import io.starspark.kernels.aparapi.OpenClDevices;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.Manifest;
import io.starspark.kv.PageSummaries;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.PrefillConf;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Phase 1 with {@code spark.starspark.kernels=aparapi} (OpenCL; PoCL in CI) on the golden document: the page
 * summaries equal the Java backend's within float32 tolerance, and the prefill really ran on the device
 * (every Aparapi execute asserts it ran on OpenCL; here every block ran device-resident, activations staying on
 * the device across layers, and only the kept K/V came back).
 */
class StarAparapiTest {
    /** |aparapi − java| ≤ TOL · (1 + |java|) for every page min/max (float32 sums in a different order). */
    private static final double TOL = 1e-4;

    @TempDir
    Path tmp;

    @Test
    void aparapiPrefillSummariesEqualJava() throws IOException {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): Aparapi prefill test skipped");
        JsonNode c = StarGoldenTest.goldenCase();
        int[] context = StarGoldenTest.ints(c.get("context_ids"));
        LlamaModel model = ModelRegistry.get(StarGoldenTest.MODEL);
        LlamaConfig cfg = model.config();
        StarPlan plan = StarPlan.of(context.length, 64, 32, 16);
        KvLayout layout = new KvLayout(cfg.layers(), cfg.kvHeads(), cfg.headDim(), plan.pageSize(), KvDtype.F32);
        try (JavaSparkContext jsc = StarGoldenTest.spark("local[1]")) {
            PageSummaries[] java = prefill(jsc, model, context, plan, layout, KernelsChoice.JAVA);
            AparapiKernels ap = (AparapiKernels) KernelBackends.select(KernelsChoice.APARAPI);
            AparapiKernels.Traffic before = ap.traffic();
            PageSummaries[] aparapi = prefill(jsc, model, context, plan, layout, KernelsChoice.APARAPI);
            AparapiKernels.Traffic moved = ap.traffic().minus(before);
            System.out.printf("aparapi phase 1: %d blocks, %d resident matrices; per block: weights uploaded %d B,"
                    + " to device %d B, from device %d B%n", plan.blockCount(), ap.residentMatrices(),
                    moved.weightBytesUploaded() / plan.blockCount(), moved.bytesToDevice() / plan.blockCount(),
                    moved.bytesFromDevice() / plan.blockCount());
            assertTrue(moved.bytesToDevice() > 0 && moved.bytesFromDevice() > 0, "the prefill ran on the device: " + moved);
            assertEquals(plan.blockCount(), moved.residentBlocks(), "every block ran device-resident: " + moved);
            // each context row once; on a device with its own memory each block's array is padded to a humongous size
            long kept = plan.blocks().stream()
                    .mapToLong(b -> 4L * ap.blockArrayFloats(2L * cfg.layers() * cfg.kvDim() * (b.end() - b.start())))
                    .sum();
            assertEquals(4L * 2 * cfg.layers() * cfg.kvDim() * context.length, plan.blocks().stream()
                    .mapToLong(b -> 4L * 2 * cfg.layers() * cfg.kvDim() * (b.end() - b.start())).sum());
            assertEquals(kept, moved.bytesFromDevice(), "only the blocks' kept K/V came back: " + moved);
            assertEquals(java.length, aparapi.length);
            double worst = 0;
            for (int l = 0; l < java.length; l++) {
                PageSummaries a = aparapi[l];
                PageSummaries j = java[l];
                assertEquals(j.pages(), a.pages(), "pages of layer " + l);
                worst = Math.max(worst, worst(j.min(), a.min(), "min", l));
                worst = Math.max(worst, worst(j.max(), a.max(), "max", l));
            }
            System.out.printf("page summaries: max |aparapi - java| / (1 + |java|) = %.3g%n", worst);
        }
    }

    /** Runs phase 1 with {@code kernels} into its own K/V folder; the page summaries as the store has them. */
    private PageSummaries[] prefill(JavaSparkContext jsc, LlamaModel model, int[] context, StarPlan plan, KvLayout layout,
                                    KernelsChoice kernels) {
        String root = tmp.resolve(kernels.toString()).toUri().toString();
        Manifest expected = Manifest.of("doc-" + kernels, model.id(), layout, plan, context, StarPrefill.CREATED_BY);
        PrefillReport r = StarPrefill.run(jsc, new StarPrefill.Document(expected, context, new PrefillConf(
                StarGoldenTest.MODEL, root, layout, expected.binding(), kernels, new int[0]), 1,
                StarSettings.defaults().maxKvBytes()));
        assertFalse(r.reused(), "ran, not reused");
        try (KvStore store = HadoopKvStore.open(URI.create(r.kvRoot()), jsc.hadoopConfiguration(), layout,
                expected.binding(), 0)) {
            return store.readSummaries();
        }
    }

    private static double worst(float[] java, float[] aparapi, String what, int layer) {
        assertEquals(java.length, aparapi.length, what + " length, layer " + layer);
        double worst = 0;
        for (int i = 0; i < java.length; i++) {
            double rel = Math.abs(aparapi[i] - java[i]) / (1 + Math.abs(java[i]));
            assertTrue(rel <= TOL, "page " + what + " [" + i + "] of layer " + layer + ": aparapi " + aparapi[i]
                    + " vs java " + java[i]);
            worst = Math.max(worst, rel);
        }
        return worst;
    }
}
