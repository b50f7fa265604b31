package io.starspark.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.DeviceBlocksKernels;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kernels.Rope;
import io.starspark.kernels.aparapi.AparapiKernels;
import io.starspark.kernels.aparapi.OpenClDevices;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.model.synth.SyntheticModels.Family;
import io.starspark.model.synth.SyntheticModels.Shape;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device-resident block forward (Aparapi on OpenCL, PoCL in CI) against the reference backend's host path:
 * the kept K/V and the logits of a prefill agree within float32 tolerance, for F32 and Q8_0 weights (and F16
 * mixed in), adjacent and NEOX RoPE, GQA, biases and per-head Q/K norms, in the CPU device's modes and in the
 * GPU's tiled modes. Every execute is checked by the backend to have run on OpenCL (it throws otherwise); here
 * the block is also checked to have run on the device path, moving exactly the bytes it should.
 */
class DeviceForwardTest {
    /** |device − reference| ≤ TOL · (1 + |reference|): float32 sums in another order than the float64 reference. */
    private static final double TOL = 1e-4;
    private static final long SEED = 20261202L;
    private static final int TOKENS = 150; // crosses the CPU attention's 128-key tile and the GPU's 16 and 64 tiles
    private static final int KEEP_FROM = 53;
    private static AparapiKernels columns;
    private static AparapiKernels tiled;

    @TempDir
    static Path dir;

    static Stream<Arguments> cases() {
        Shape gqa = new Shape("gqa", Family.LLAMA, 64, 2, 8, 2, 8, 96, 512, 2048, 10000f, 1e-5f, null);
        Shape qwen2 = new Shape("qwen2-like", Family.QWEN2, 64, 2, 4, 2, 16, 128, 512, 2048, 1e6f, 1e-6f, null);
        Shape qwen3 = new Shape("qwen3-like", Family.QWEN3, 64, 2, 4, 2, 32, 128, 512, 2048, 1e6f, 1e-6f, null);
        Shape stories = SyntheticModels.shape("stories260k");
        // ffn 2112 > Q8Matrix.TILE_COLS: the Q8_0 down projection is held tiled on the host, row-major on the device
        Shape wideFfn = new Shape("wide-ffn", Family.LLAMA, 64, 1, 8, 2, 8, 2112, 512, 2048, 10000f, 1e-5f, null);
        Stream.Builder<Arguments> b = Stream.builder();
        for (boolean gpuModes : new boolean[] {false, true}) {
            b.add(Arguments.of(gqa, "f32", gpuModes));
            b.add(Arguments.of(gqa, "q8_0", gpuModes));
            b.add(Arguments.of(stories, "q8_0", gpuModes)); // Q8_0 with F16 down (ffn 172 is no multiple of 32)
            b.add(Arguments.of(qwen2, "f32", gpuModes)); // NEOX, biases
            b.add(Arguments.of(qwen3, "q8_0", gpuModes)); // NEOX, Q/K norms, heads·headDim ≠ dim
            b.add(Arguments.of(wideFfn, "q8_0", gpuModes));
        }
        return b.build();
    }

    private static AparapiKernels backend(boolean gpuModes) {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): device forward tests skipped");
        synchronized (DeviceForwardTest.class) {
            if (gpuModes && tiled == null) {
                tiled = AparapiKernels.createTiled();
            }
            if (!gpuModes && columns == null) {
                columns = AparapiKernels.create();
            }
            return gpuModes ? tiled : columns;
        }
    }

    private static LlamaModel model(Shape shape, String dtype) {
        Path p = dir.resolve(shape.name() + "-" + dtype + ".gguf");
        if (!p.toFile().exists()) {
            SyntheticModels.writer(shape, dtype, SEED).write(p);
        }
        return LlamaModel.load(p);
    }

    @ParameterizedTest(name = "{0} {1} gpuModes={2}")
    @MethodSource("cases")
    void keptKvAndLogitsEqualTheReference(Shape shape, String dtype, boolean gpuModes) {
        AparapiKernels ap = backend(gpuModes);
        LlamaModel m = model(shape, dtype);
        LlamaConfig c = m.config();
        Random rnd = new Random(SEED);
        System.out.println("DeviceForwardTest seed " + SEED + ": " + shape.name() + " " + dtype + " on "
                + ap.deviceName() + (gpuModes ? " (GPU modes)" : "") + ", rope " + c.rope().style());
        int[] tokens = new int[TOKENS];
        int[] positions = new int[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            tokens[i] = 1 + rnd.nextInt(c.vocabSize() - 1);
            positions[i] = 1000 + i;
        }
        Kernels ref = new ReferenceKernels();
        KvCache want = new KvCache(c.layers(), c.kvHeads(), c.headDim(), TOKENS - KEEP_FROM);
        new Forward(m, ref).prefill(tokens, positions, KEEP_FROM, want);

        AparapiKernels.Traffic before = ap.traffic();
        KvCache got = new KvCache(c.layers(), c.kvHeads(), c.headDim(), TOKENS - KEEP_FROM);
        new Forward(m, ap).prefill(tokens, positions, KEEP_FROM, got);
        AparapiKernels.Traffic moved = ap.traffic().minus(before);
        String what = shape.name() + " " + dtype + (gpuModes ? " gpu modes" : "");
        assertEquals(1, moved.residentBlocks(), "the block ran device-resident: " + what);
        long rowFloats = (long) (TOKENS - KEEP_FROM) * c.kvDim();
        int pairs = c.rope().pairs();
        assertEquals(4L * ap.blockArrayFloats((long) TOKENS * c.dim()) + 4L * 2 * TOKENS * pairs, moved.bytesToDevice(),
                "in: the embeddings and the RoPE angles only: " + what);
        assertEquals(4L * ap.blockArrayFloats(2 * c.layers() * rowFloats), moved.bytesFromDevice(),
                "out: the kept K/V only: " + what);
        assertEquals(TOKENS - KEEP_FROM, got.length(), what);
        double worst = 0;
        for (int l = 0; l < c.layers(); l++) {
            worst = Math.max(worst, compare(want.keys(l), got.keys(l), (int) rowFloats, "keys of layer " + l, what));
            worst = Math.max(worst, compare(want.values(l), got.values(l), (int) rowFloats, "values of layer " + l, what));
        }

        float[] wantLogits = new Forward(m, ref).forward(tokens, positions, KvCache.forModel(c), null, Logits.ALL);
        before = ap.traffic();
        float[] gotLogits = new Forward(m, ap).forward(tokens, positions, KvCache.forModel(c), null, Logits.ALL);
        assertEquals(1, ap.traffic().minus(before).residentBlocks(), "logits from the device path: " + what);
        worst = Math.max(worst, compare(wantLogits, gotLogits, wantLogits.length, "logits", what));
        System.out.printf("%s: max |device - reference| / (1 + |reference|) = %.3g over K/V and logits%n", what, worst);
    }

    /**
     * A decode step (the cache holds rows) and a batch over external keys stay on the host-array path, whose matmuls
     * run on the layer weights the device-resident block already holds (one copy per JVM).
     */
    @ParameterizedTest(name = "gpuModes={0}")
    @ValueSource(booleans = {false, true})
    void batchesThatSeeMoreThanThemselvesUseTheKernelCalls(boolean gpuModes) {
        AparapiKernels ap = backend(gpuModes);
        LlamaModel m = model(SyntheticModels.shape("stories260k"), "f32");
        LlamaConfig c = m.config();
        KvCache cache = KvCache.forModel(c);
        Forward f = new Forward(m, ap);
        AparapiKernels.Traffic t0 = ap.traffic();
        f.forward(new int[] {5, 6, 7}, new int[] {0, 1, 2}, cache, null, Logits.LAST);
        AparapiKernels.Traffic t1 = ap.traffic();
        KvCache wantCache = KvCache.forModel(c);
        new Forward(m, new ReferenceKernels()).forward(new int[] {5, 6, 7}, new int[] {0, 1, 2}, wantCache, null,
                Logits.LAST);
        for (int l = 0; l < c.layers(); l++) {
            compare(wantCache.keys(l), cache.keys(l), 3 * c.kvDim(), "keys of layer " + l + " after the device prefill",
                    "stories260k f32");
            compare(wantCache.values(l), cache.values(l), 3 * c.kvDim(),
                    "values of layer " + l + " after the device prefill", "stories260k f32");
        }
        int residentBefore = ap.residentMatrices();
        // every op of the step checked against the reference on the same inputs: the first that differs fails by name
        float[] step = new Forward(m, new CheckedKernels(ap, new ReferenceKernels(), TOL))
                .forward(new int[] {8}, new int[] {3}, cache, null, Logits.LAST);
        assertEquals(1, t1.minus(t0).residentBlocks(), "the first batch (empty cache) on the device path");
        assertEquals(0, ap.traffic().minus(t1).residentBlocks(), "the decode step through the kernel calls");
        assertEquals(0, ap.traffic().minus(t1).weightBytesUploaded(),
                "the decode step's matmuls use the weights already on the device (the layers' from the block)");
        // at most as many (the backend is shared with other tests, whose collected models release theirs meanwhile)
        assertTrue(ap.residentMatrices() <= residentBefore, "no per-call copy of a layer matrix the block holds: "
                + residentBefore + " -> " + ap.residentMatrices());
        float[] want = referenceLogitsOfToken8(m);
        compare(want, step, want.length, "decode logits after a device prefill",
                "stories260k f32" + (gpuModes ? " gpu modes" : ""));
        assertEquals(Rope.Style.ADJACENT, c.rope().style());
    }

    /**
     * {@code kernels=auto} on a GPU ({@link DeviceBlocksKernels}): the prompt runs as one device-resident block, the
     * decode steps on the host backend without touching the device, and the logits are the reference's.
     */
    @Test
    void autoOnAGpuPrefillsOnTheDeviceAndDecodesOnTheHost() {
        AparapiKernels ap = backend(true);
        LlamaModel m = model(SyntheticModels.shape("stories260k"), "f32");
        LlamaConfig c = m.config();
        Kernels k = new DeviceBlocksKernels(ap, new JavaKernels(2));
        KvCache cache = KvCache.forModel(c);
        Forward f = new Forward(m, k);
        AparapiKernels.Traffic t0 = ap.traffic();
        f.forward(new int[] {5, 6, 7}, new int[] {0, 1, 2}, cache, null, Logits.LAST);
        AparapiKernels.Traffic t1 = ap.traffic();
        float[] step = f.forward(new int[] {8}, new int[] {3}, cache, null, Logits.LAST);
        assertEquals(1, t1.minus(t0).residentBlocks(), "the prompt ran device-resident");
        assertEquals(t1, ap.traffic(), "the decode step moved nothing to or from the device");
        float[] want = referenceLogitsOfToken8(m);
        compare(want, step, want.length, "decode logits, device blocks + host calls", "stories260k f32");
    }

    /** What the decode steps above must give: the reference's last logits over tokens 5, 6, 7, 8 in one pass. */
    private static float[] referenceLogitsOfToken8(LlamaModel m) {
        return new Forward(m, new ReferenceKernels()).forward(new int[] {5, 6, 7, 8}, new int[] {0, 1, 2, 3},
                KvCache.forModel(m.config()), null, Logits.LAST);
    }

    private static double compare(float[] want, float[] got, int n, String name, String what) {
        double worst = 0;
        for (int i = 0; i < n; i++) {
            double rel = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
            assertTrue(rel <= TOL, name + " [" + i + "]: device " + got[i] + " vs reference " + want[i] + " (" + what + ")");
            worst = Math.max(worst, rel);
        }
        return worst;
    }
}
