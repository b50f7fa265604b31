package io.starspark.model.synth;

import io.starspark.errors.UserError;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.gguf.GgmlType;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufTensor;
import io.starspark.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SyntheticModelsTest {
    private static final long SEED = 1234L;
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"f32", "f16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k", "q4_k_m"})
    void storiesShapeLoadsAndRuns(String dtype) throws Exception {
        System.out.println("SyntheticModelsTest seed " + SEED);
        Path p = dir.resolve("s-" + dtype + ".gguf");
        SyntheticModels.write("stories260k", dtype, SEED, p);
        LlamaModel m = LlamaModel.load(p);
        assertEquals(64, m.config().dim());
        assertEquals(172, m.config().ffnDim());
        assertEquals(512, m.tokenizer().vocabSize());
        int[] ids = m.tokenizer().encode("the big dog said hello", true, true);
        assertEquals(" the big dog said hello", m.tokenizer().decode(ids));
        float[] logits = new Forward(m, new ReferenceKernels()).forward(ids, range(ids.length),
            KvCache.forModel(m.config()), null, Logits.ALL);
        assertEquals(ids.length * 512, logits.length);
        for (float x : logits) {
            assertTrue(Float.isFinite(x));
        }
        if (dtype.equals("q8_0")) {
            assertInstanceOf(Q8Matrix.class, m.weights().layers().get(0).wq());
            assertInstanceOf(F16Matrix.class, m.weights().layers().get(0).down());
        }
        Path again = dir.resolve("again.gguf");
        SyntheticModels.write("stories260k", dtype, SEED, again);
        assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(again), "same seed, same file");
    }

    /**
     * A model of any stored type computes exactly what an f32 model of its decoded weights computes: the
     * f32 copy is written from {@code GgufFile.floats} (the widening path), the quantized model runs its
     * matrices and embedding rows directly, and the reference kernels multiply the same float values in the
     * same order, so the logits agree bit for bit.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k", "q4_k_m"})
    void quantizedModelEqualsAnF32ModelOfItsDecodedWeights(String dtype) {
        System.out.println("SyntheticModelsTest seed " + SEED);
        Path quantized = dir.resolve("q-" + dtype + ".gguf");
        SyntheticModels.write("stories260k", dtype, SEED, quantized);
        Path widened = dir.resolve("w-" + dtype + ".gguf");
        try (GgufFile f = GgufFile.open(quantized)) {
            GgufWriter w = new GgufWriter();
            f.metadata().forEach(w::put);
            for (GgufTensor t : f.tensors().values()) {
                float[] all = f.floats(t.name());
                int cols = (int) t.cols();
                w.tensor(t.name(), GgmlType.F32, t.dims(), (r, dst) -> System.arraycopy(all, (int) r * cols, dst, 0, cols));
            }
            w.write(widened);
        }
        String text = "the big dog said hello to the cat";
        assertArrayEquals(logits(widened, text), logits(quantized, text), dtype);
    }

    /**
     * Quantized logits stay near the f32 model's. The per-weight RMS rounding error, relative to the
     * weights' spread, is e = 2^-11/sqrt(3) = 2.8e-4 for f16 (round to 11 significant bits) and
     * e = (2.5/127)/sqrt(12) = 5.7e-3 for q8_0 (a step of a 32-weight block's absmax, about 2.5 sigma of
     * Gaussian weights, over 127). Through 5 layers the largest logit error, relative to the largest |logit|,
     * measured 4.1 e (f16: 1.16e-3) and 4.8 e (q8_0: 2.7e-2) at this seed; the bound is 10 e, twice that.
     * A wrongly decoded row or scale moves logits by whole units and fails it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"f16", "q8_0"})
    void quantizedLogitsStayNearTheF32Logits(String dtype) {
        System.out.println("SyntheticModelsTest seed " + SEED);
        Path f32 = dir.resolve("f32.gguf");
        SyntheticModels.write("stories260k", "f32", SEED, f32);
        Path quantized = dir.resolve("q-" + dtype + ".gguf");
        SyntheticModels.write("stories260k", dtype, SEED, quantized);
        String text = "the big dog said hello to the cat";
        float[] exact = logits(f32, text);
        float[] approx = logits(quantized, text);
        double scale = 0;
        double err = 0;
        for (int i = 0; i < exact.length; i++) {
            scale = Math.max(scale, Math.abs(exact[i]));
            err = Math.max(err, Math.abs(exact[i] - approx[i]));
        }
        double bound = 10 * (dtype.equals("f16") ? 0x1p-11 / Math.sqrt(3) : 2.5 / 127 / Math.sqrt(12));
        System.out.println("SyntheticModelsTest " + dtype + ": max |logit error| / max |logit| = " + err / scale);
        assertTrue(err / scale <= bound, dtype + ": relative logit error " + err / scale + " over " + bound);
        assertTrue(err > 0, dtype + " weights are rounded, so the logits differ somewhat");
    }

    private static float[] logits(Path model, String text) {
        LlamaModel m = LlamaModel.load(model);
        int[] ids = m.tokenizer().encode(text, true, true);
        return new Forward(m, new ReferenceKernels()).forward(ids, range(ids.length), KvCache.forModel(m.config()),
            null, Logits.ALL);
    }

    @Test
    void vocabIsPaddedToModelSize() {
        SyntheticVocab v = SyntheticVocab.of(32000);
        assertEquals(32000, v.pieces().size());
        assertEquals(32000, new java.util.HashSet<>(v.pieces()).size());
    }

    @Test
    void rejectsUnknownShapeAndDtype() {
        assertEquals("unknown model shape '7b' (expected stories260k, 110m, 1b, llama3-tiny, qwen2-tiny or qwen3-tiny)",
            assertThrows(UserError.class, () -> SyntheticModels.shape("7b")).getMessage());
        assertEquals("unknown dtype 'q3_k' (expected " + TensorTypes.CHOICES + ")", assertThrows(UserError.class,
            () -> SyntheticModels.write("stories260k", "q3_k", 1, dir.resolve("x.gguf"))).getMessage());
    }

    /**
     * q4_k_m on 8 layers of dim 256 (every row a whole number of 256-blocks) follows llama.cpp's mix:
     * Q6_K for output and for attn_v/ffn_down of layers 0, 3, 6, 7 (use_more_bits), Q4_K elsewhere,
     * norms F32; the mixed file loads and runs.
     */
    @Test
    void q4kmMixesQ4KAndQ6KLikeLlamaCpp() throws Exception {
        System.out.println("SyntheticModelsTest seed " + SEED);
        SyntheticModels.Shape shape = new SyntheticModels.Shape("mix", 256, 8, 4, 2, 512, 512, 2048, 10000f);
        Path p = dir.resolve("mix.gguf");
        SyntheticModels.writer(shape, "q4_k_m", SEED).write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(GgmlType.Q6_K, f.tensor("output.weight").type());
            assertEquals(GgmlType.Q4_K, f.tensor("token_embd.weight").type());
            assertEquals(GgmlType.F32, f.tensor("blk.0.attn_norm.weight").type());
            for (int l = 0; l < 8; l++) {
                GgmlType more = l == 0 || l == 3 || l == 6 || l == 7 ? GgmlType.Q6_K : GgmlType.Q4_K;
                assertEquals(more, f.tensor("blk." + l + ".attn_v.weight").type(), "attn_v " + l);
                assertEquals(more, f.tensor("blk." + l + ".ffn_down.weight").type(), "ffn_down " + l);
                assertEquals(GgmlType.Q4_K, f.tensor("blk." + l + ".attn_q.weight").type());
                assertEquals(GgmlType.Q4_K, f.tensor("blk." + l + ".ffn_up.weight").type());
            }
        }
        LlamaModel m = LlamaModel.load(p);
        int[] ids = m.tokenizer().encode("the big dog", true, true);
        float[] logits = new Forward(m, new ReferenceKernels()).forward(ids, range(ids.length),
            KvCache.forModel(m.config()), null, Logits.LAST);
        for (float x : logits) {
            assertTrue(Float.isFinite(x));
        }
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
