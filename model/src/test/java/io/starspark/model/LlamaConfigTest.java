package io.starspark.model;

import io.starspark.kernels.Rope;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The config's own checks at their boundaries, and what {@link LlamaConfig#from} reads or defaults. */
class LlamaConfigTest {
    private static final Rope ROPE = Rope.adjacent(8, 10000);

    @TempDir
    Path dir;

    private static LlamaConfig config(int dim, int layers, int heads, int kvHeads, int headDim, int ffn, int vocab,
                                      int context) {
        return new LlamaConfig("llama", dim, layers, heads, kvHeads, headDim, ffn, vocab, ROPE, 1e-5f, context, false);
    }

    private static String refused(Supplier<LlamaConfig> s) {
        return assertThrows(IllegalArgumentException.class, s::get).getMessage();
    }

    @Test
    void everySizeMustBePositiveAndOneIs() {
        LlamaConfig ones = config(1, 1, 1, 1, 8, 1, 1, 1);
        assertEquals(8, ones.qDim());
        assertEquals(8, ones.kvDim());
        assertEquals("dim must be positive (got 0)", refused(() -> config(0, 1, 1, 1, 8, 1, 1, 1)));
        assertEquals("layers must be positive (got 0)", refused(() -> config(1, 0, 1, 1, 8, 1, 1, 1)));
        assertEquals("heads must be positive (got 0)", refused(() -> config(1, 1, 0, 1, 8, 1, 1, 1)));
        assertEquals("kvHeads must be positive (got 0)", refused(() -> config(1, 1, 1, 0, 8, 1, 1, 1)));
        assertEquals("headDim must be positive (got 0)", refused(() -> config(1, 1, 1, 1, 0, 1, 1, 1)));
        assertEquals("ffnDim must be positive (got 0)", refused(() -> config(1, 1, 1, 1, 8, 0, 1, 1)));
        assertEquals("vocabSize must be positive (got 0)", refused(() -> config(1, 1, 1, 1, 8, 1, 0, 1)));
        assertEquals("contextLength must be positive (got 0)", refused(() -> config(1, 1, 1, 1, 8, 1, 1, 0)));
        assertEquals("dim must be positive (got -3)", refused(() -> config(-3, 1, 1, 1, 8, 1, 1, 1)));
    }

    @Test
    void headsAreAMultipleOfKvHeads() {
        assertEquals(48, config(64, 1, 6, 3, 8, 1, 1, 1).qDim());
        assertEquals(24, config(64, 1, 6, 3, 8, 1, 1, 1).kvDim());
        assertEquals("heads (6) must be a multiple of kvHeads (4)", refused(() -> config(64, 1, 6, 4, 8, 1, 1, 1)));
    }

    @Test
    void ropeMustBeGivenFitTheHeadAndMatchTheArchitecture() {
        assertEquals("rope settings must be given", refused(() ->
            new LlamaConfig("llama", 8, 1, 1, 1, 8, 1, 1, null, 1e-5f, 1, false)));
        assertEquals("rotaryDim 8 exceeds headDim 6", refused(() -> config(6, 1, 1, 1, 6, 1, 1, 1)));
        assertEquals("qwen2 uses NEOX rope (got ADJACENT)", refused(() ->
            new LlamaConfig("qwen2", 8, 1, 1, 1, 8, 1, 1, ROPE, 1e-5f, 1, false)));
        assertEquals("mistral uses ADJACENT rope (got NEOX)", refused(() ->
            new LlamaConfig("mistral", 8, 1, 1, 1, 8, 1, 1, new Rope(Rope.Style.NEOX, 8, 1e4, null), 1e-5f, 1, false)));
        LlamaConfig qwen3 = new LlamaConfig("qwen3", 8, 1, 1, 1, 8, 1, 1, new Rope(Rope.Style.NEOX, 8, 1e4, null),
            1e-6f, 1, true);
        assertTrue(qwen3.qkNorm());
        assertFalse(new LlamaConfig("qwen2", 8, 1, 1, 1, 8, 1, 1, new Rope(Rope.Style.NEOX, 8, 1e4, null), 1e-6f, 1,
            true).qkNorm());
        assertFalse(config(8, 1, 1, 1, 8, 1, 1, 1).qkNorm());
    }

    @Test
    void rmsEpsMustBePositiveAndArchitectureKnown() {
        for (float eps : new float[] {0f, -1e-5f, Float.NaN}) {
            assertEquals("rmsEps must be positive (got " + eps + ")", refused(() ->
                new LlamaConfig("llama", 8, 1, 1, 1, 8, 1, 1, ROPE, eps, 1, false)));
        }
        assertEquals(Float.MIN_VALUE, new LlamaConfig("llama", 8, 1, 1, 1, 8, 1, 1, ROPE, Float.MIN_VALUE, 1, false)
            .rmsEps());
        assertEquals("unsupported architecture 'gpt2' (supported: llama, mistral, qwen2, qwen3)", refused(() ->
            new LlamaConfig("gpt2", 8, 1, 1, 1, 8, 1, 1, ROPE, 1e-5f, 1, false)));
    }

    private static GgufWriter stories() {
        return SyntheticModels.writer(SyntheticModels.shape("stories260k"), "f32", 7L);
    }

    private LlamaConfig read(GgufWriter w) {
        Path p = dir.resolve("c" + System.nanoTime() + ".gguf");
        w.write(p);
        try (var f = io.starspark.model.gguf.GgufFile.open(p)) {
            return LlamaConfig.from(f);
        }
    }

    private String readError(GgufWriter w) {
        Path p = dir.resolve("e" + System.nanoTime() + ".gguf");
        w.write(p);
        try (var f = io.starspark.model.gguf.GgufFile.open(p)) {
            String m = assertThrows(ModelFormatException.class, () -> LlamaConfig.from(f)).getMessage();
            assertTrue(m.startsWith(p + ": "), m);
            return m.substring(p.toString().length() + 2);
        }
    }

    @Test
    void fromReadsTheKeysAndDefaultsTheOptionalOnes() {
        LlamaConfig c = read(stories());
        assertEquals(LlamaConfig.llama(64, 5, 8, 4, 8, 172, 512, 10000.0, 8, 1e-5f, 2048, false), c);
        LlamaConfig defaults = read(stories().remove("llama.attention.head_count_kv").remove("llama.rope.freq_base")
            .remove("llama.rope.dimension_count"));
        assertEquals(8, defaults.kvHeads(), "KV heads default to heads");
        assertEquals(new Rope(Rope.Style.ADJACENT, 8, 10000.0, null), defaults.rope(), "rotary dims default to headDim");
        LlamaConfig partial = read(stories().putUint32("llama.rope.dimension_count", 4)
            .put("llama.rope.freq_base", io.starspark.model.gguf.GgufValue.ofFloat32(500000f)));
        assertEquals(new Rope(Rope.Style.ADJACENT, 4, 500000.0, null), partial.rope());
        LlamaConfig keyLength = read(stories().putUint32("llama.attention.key_length", 16)
            .putUint32("llama.attention.value_length", 16).putUint32("llama.rope.dimension_count", 16));
        assertEquals(16, keyLength.headDim());
    }

    @Test
    void headDimensionsThatDoNotFitAreFormatErrors() {
        assertEquals("llama.embedding_length 64 is not a multiple of head_count 6",
            readError(stories().putUint32("llama.attention.head_count", 6).putUint32("llama.attention.head_count_kv", 6)));
        assertEquals("llama.embedding_length 64 is not a multiple of head_count 0",
            readError(stories().putUint32("llama.attention.head_count", 0)));
        assertEquals("llama.attention.value_length 16 differs from key_length 8 (unsupported)",
            readError(stories().putUint32("llama.attention.value_length", 16)));
        assertEquals("invalid model config: heads (8) must be a multiple of kvHeads (3)",
            readError(stories().putUint32("llama.attention.head_count_kv", 3)));
        // with key_length given, dim need not be a multiple of the heads (Qwen3)
        LlamaConfig c = read(stories().putUint32("llama.attention.head_count", 6).putUint32("llama.attention.head_count_kv", 6)
            .putUint32("llama.attention.key_length", 8));
        assertEquals(48, c.qDim());
    }

    @Test
    void linearRopeScalingFromEitherKey() {
        float[] two = new float[4];
        java.util.Arrays.fill(two, 2f);
        assertEquals(new Rope(Rope.Style.ADJACENT, 8, 10000.0, two), read(stories()
            .putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 2f)).rope());
        assertEquals(new Rope(Rope.Style.ADJACENT, 8, 10000.0, two), read(stories()
            .putFloat32("llama.rope.scale_linear", 2f)).rope(), "the older key alone");
        assertEquals(new Rope(Rope.Style.ADJACENT, 8, 10000.0, null), read(stories()
            .putString("llama.rope.scaling.type", "none").putFloat32("llama.rope.scaling.factor", 2f)).rope(),
            "type none ignores a factor");
        assertEquals(new Rope(Rope.Style.ADJACENT, 8, 10000.0, null), read(stories()
            .putString("llama.rope.scaling.type", "linear")).rope(), "linear without a factor is 1");
        assertEquals("rope scaling factor must be positive (got 0.0)", readError(stories()
            .putString("llama.rope.scaling.type", "linear").putFloat32("llama.rope.scaling.factor", 0f)));
        assertEquals("rope scaling factor must be positive (got -2.0)", readError(stories()
            .putFloat32("llama.rope.scale_linear", -2f)));
        assertEquals("unsupported rope scaling type 'yarn' (supported: none, linear, and Llama 3 rope_freqs)",
            readError(stories().putString("llama.rope.scaling.type", "yarn")));
    }

    @Test
    void tiedOutputIsTheAbsenceOfAnOutputTensor() {
        assertFalse(read(stories()).tiedOutput());
        SyntheticModels.Shape tied = new SyntheticModels.Shape("t", SyntheticModels.Family.QWEN2, 32, 1, 2, 1, 16, 64,
            320, 128, 1e6f, 1e-6f, null);
        LlamaConfig c = read(SyntheticModels.writer(tied, "f32", 7L));
        assertTrue(c.tiedOutput());
        assertEquals(Rope.Style.NEOX, c.rope().style());
        assertEquals(1e-6f, c.rmsEps());
        assertEquals(128, c.contextLength());
        assertEquals(320, c.vocabSize());
    }
}
