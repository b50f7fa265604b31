package io.starspark.model;

import io.starspark.kernels.KvDtype;
import io.starspark.model.gguf.GgmlType;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufValue;
import io.starspark.model.gguf.GgufValueType;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every bad model file gives one line naming the file and the problem. */
class BrokenFilesTest {
    @TempDir
    Path dir;

    private GgufWriter tiny() {
        return SyntheticModels.writer(SyntheticModels.shape("stories260k"), "f32", 5L);
    }

    private Path write(String name, GgufWriter w) {
        Path p = dir.resolve(name);
        w.write(p);
        return p;
    }

    private String error(Path p) {
        String msg = assertThrows(ModelFormatException.class, () -> LlamaModel.load(p)).getMessage();
        assertFalse(msg.contains("\n"), "one line: " + msg);
        return msg;
    }

    private static void truncate(Path p, long length) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.setLength(length);
        }
    }

    @Test
    void validTinyModelLoads() {
        assertEquals(5, LlamaModel.load(write("ok.gguf", tiny())).config().layers());
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nope.gguf");
        assertEquals(p + ": model file not found", error(p));
    }

    @Test
    void badMagic() throws IOException {
        Path p = write("magic.gguf", tiny());
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write("GGML".getBytes());
        }
        assertEquals(p + ": not a GGUF file (bad magic)", error(p));
        Path text = dir.resolve("text.gguf");
        Files.writeString(text, "hi");
        assertEquals(text + ": not a GGUF file (bad magic)", error(text));
    }

    @Test
    void unsupportedVersion() {
        Path p = write("v4.gguf", tiny().version(4));
        assertEquals(p + ": unsupported GGUF version 4 (supported: 2, 3)", error(p));
    }

    @Test
    void truncatedHeader() throws IOException {
        Path p = write("trunc.gguf", tiny());
        truncate(p, 200);
        assertEquals(p + ": truncated file: header ends past the end of the file (200 bytes)", error(p));
    }

    @Test
    void tensorPastEnd() throws IOException {
        Path p = write("short.gguf", tiny());
        long len = Files.size(p) - 10;
        truncate(p, len);
        String msg = error(p);
        assertEquals(true, msg.startsWith(p + ": tensor 'output.weight' (bytes "), msg);
        assertEquals(true, msg.endsWith(") extends past the end of the file (" + len + " bytes)"), msg);
    }

    @Test
    void unsupportedTensorType() {
        Path p = write("q2k.gguf", new GgufWriter().rawTensor("token_embd.weight", 10, new long[]{256, 2}, new byte[168]));
        assertEquals(p + ": tensor 'token_embd.weight' has unsupported type Q2_K (supported: F32, F16, Q4_0, Q4_1,"
            + " Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K, BF16)", error(p));
    }

    @Test
    void blockTypeRowLengthNotAMultipleOfItsBlock() {
        Path p = write("q4k-rows.gguf", new GgufWriter().rawTensor("blk.0.ffn_down.weight", 12, new long[]{172, 2},
            new byte[288]));
        assertEquals(p + ": tensor 'blk.0.ffn_down.weight' of type Q4_K has row length 172, not a multiple of 256",
            error(p));
    }

    @Test
    void unsupportedArchitecture() {
        Path p = write("gptj.gguf", tiny().putString("general.architecture", "gpt-j"));
        assertEquals(p + ": unsupported architecture 'gpt-j' (supported: llama, mistral, qwen2, qwen3)", error(p));
    }

    @Test
    void unsupportedRopeScalingIsRefusedClearly() {
        Path p = write("yarn.gguf", tiny().putString("llama.rope.scaling.type", "yarn"));
        assertEquals(p + ": unsupported rope scaling type 'yarn' (supported: none, linear, and Llama 3 rope_freqs)",
            error(p));
    }

    @Test
    void ropeFreqsOfTheWrongLengthAreRefused() {
        Path p = write("freqs.gguf", tiny().tensor("rope_freqs.weight", GgmlType.F32, new long[] {3},
            (r, dst) -> java.util.Arrays.fill(dst, 1f)));
        assertEquals(p + ": tensor 'rope_freqs.weight' has shape [3], expected [4]", error(p));
    }

    @Test
    void qwen3ReadsNeoxRopeHeadDimAndQkNorms() {
        SyntheticModels.Shape s = new SyntheticModels.Shape("q", SyntheticModels.Family.QWEN3, 32, 1, 2, 1, 24, 64,
            512, 128, 1e6f, 1e-6f, null);
        LlamaModel m = LlamaModel.load(write("qwen3.gguf", SyntheticModels.writer(s, "f32", 3L)
            .putString("qwen3.rope.scaling.type", "linear").putFloat32("qwen3.rope.scaling.factor", 4f)));
        LlamaConfig c = m.config();
        assertEquals(24, c.headDim());
        assertEquals(48, c.qDim());
        assertTrue(c.qkNorm());
        assertEquals(io.starspark.kernels.Rope.Style.NEOX, c.rope().style());
        float[] four = new float[12];
        java.util.Arrays.fill(four, 4f);
        assertEquals(new io.starspark.kernels.Rope(io.starspark.kernels.Rope.Style.NEOX, 24, 1e6, four), c.rope());
        assertEquals(24, m.weights().layers().get(0).qNorm().length);
    }

    @Test
    void vocabEmbeddingMismatch() {
        GgufWriter w = tiny().put("tokenizer.ggml.tokens",
            GgufValue.ofArray(GgufValueType.STRING, Collections.nCopies(500, "x")));
        Path p = write("vocab.gguf", w);
        assertEquals(p + ": vocab/embedding size mismatch: tokenizer has 500 tokens, token_embd.weight is [64, 512]"
            + " (expected [64, 500])", error(p));
    }

    @Test
    void missingRequiredKey() {
        Path p = write("nokey.gguf", tiny().remove("llama.block_count"));
        assertEquals(p + ": missing required key 'llama.block_count'", error(p));
    }

    @Test
    void duplicateTensor() {
        GgufWriter w = tiny().tensor("blk.0.attn_norm.weight", GgmlType.F32, new long[]{32}, (r, d) -> { });
        Path p = write("dup.gguf", w);
        assertEquals(p + ": duplicate tensor 'blk.0.attn_norm.weight'", error(p));
    }

    @Test
    void hugeBlockCountIsRefusedBeforeAllocatingLayers() {
        Path p = write("layers.gguf", tiny().putUint32("llama.block_count", Integer.MAX_VALUE));
        String msg = error(p);
        assertTrue(msg.startsWith(p + ": llama.block_count 2147483647 exceeds the "), msg);
    }

    @Test
    void tokenListOfIntegersOrScoresOfStringsAreFormatErrors() {
        Path ints = write("ints.gguf", tiny().put("tokenizer.ggml.tokens",
            GgufValue.ofArray(GgufValueType.INT32, Collections.nCopies(512, 7))));
        assertEquals(ints + ": metadata key 'tokenizer.ggml.tokens' must be an array of strings (is an array of INT32)",
            error(ints));
        Path strings = write("scores.gguf", tiny().put("tokenizer.ggml.scores",
            GgufValue.ofArray(GgufValueType.STRING, Collections.nCopies(512, "x"))));
        assertEquals(strings + ": metadata key 'tokenizer.ggml.scores' must be an array of numbers (is an array of STRING)",
            error(strings));
        Path types = write("types.gguf", tiny().put("tokenizer.ggml.token_type",
            GgufValue.ofArray(GgufValueType.FLOAT32, Collections.nCopies(512, 1.5f))));
        assertEquals(types + ": metadata key 'tokenizer.ggml.token_type' must be an array of integers (is an array of"
            + " FLOAT32)", error(types));
    }

    /** Dims whose product or byte size overflows 64 bits: a format error, not ArithmeticException or a pass. */
    @Test
    void tensorSizesThatOverflowAreFormatErrors() {
        long big = Integer.MAX_VALUE;
        Path three = write("dims3.gguf", new GgufWriter().rawTensor("t", 0, new long[]{big, big, big}, new byte[32]));
        assertEquals(three + ": tensor 't' has dimensions [2147483647, 2147483647, 2147483647] whose size in bytes"
            + " overflows 64 bits", assertThrows(ModelFormatException.class, () -> GgufFile.open(three)).getMessage());
        // [2^31-1, 2^31-1] f32 is 2^64 - 2^34 + 4 bytes: the old size math wrapped to a negative size and passed
        Path two = write("dims2.gguf", new GgufWriter().rawTensor("t", 0, new long[]{big, big}, new byte[32]));
        assertEquals(two + ": tensor 't' has dimensions [2147483647, 2147483647] whose size in bytes overflows 64 bits",
            assertThrows(ModelFormatException.class, () -> GgufFile.open(two)).getMessage());
    }

    @Test
    void bosOrEosOutsideTheVocabularyIsRefusedAtLoad() {
        Path bos = write("bos.gguf", tiny().putUint32("tokenizer.ggml.bos_token_id", 100000));
        assertEquals(bos + ": invalid tokenizer: BOS id 100000 and EOS id 2 must be token ids 0..511 (BOS -1: none)",
            error(bos));
        Path eos = write("eos.gguf", tiny().putUint32("tokenizer.ggml.eos_token_id", 512));
        assertEquals(eos + ": invalid tokenizer: BOS id 1 and EOS id 512 must be token ids 0..511 (BOS -1: none)",
            error(eos));
    }

    @Test
    void aNonFiniteNormIsRefusedAtLoad() throws IOException {
        Path p = write("inf-norm.gguf", tiny());
        putFloat(p, "blk.1.attn_norm.weight", 2, Float.POSITIVE_INFINITY);
        assertEquals(p + ": tensor 'blk.1.attn_norm.weight' holds Infinity at index 2; weights must be finite", error(p));
    }

    /** A handful of NaN weights in one layer's matrix: an error naming the layer, never {@code <unk>...} with exit 0. */
    @Test
    void nonFiniteWeightsInAMatrixFailTheForwardPassNamingTheLayer() throws IOException {
        Path p = write("nan.gguf", tiny());
        for (int i = 0; i < 5; i++) {
            putFloat(p, "blk.2.ffn_down.weight", 37 * i, Float.NaN);
        }
        LlamaModel m = LlamaModel.load(p); // matrices are not scanned at load (too large to scan cheaply)
        Generator g = new Generator(m, new io.starspark.kernels.ReferenceKernels());
        ModelFormatException e = assertThrows(ModelFormatException.class,
            () -> g.generate(new int[]{1, 300, 301}, 4, Sampler.greedy()));
        assertEquals(p + ": the hidden state after layer 2 (of 0..4) is not finite (NaN or infinity) for the tokens at"
            + " positions 0..2; the model's weights (or the stored K/V attended to) hold non-finite or overflowing values",
            e.getMessage());
        Path out = write("nan-out.gguf", tiny());
        putFloat(out, tiedOrOutput(out), 64 * 20 + 1, Float.NaN); // one logit's row
        Generator go = new Generator(LlamaModel.load(out), new io.starspark.kernels.ReferenceKernels());
        ModelFormatException logits = assertThrows(ModelFormatException.class,
            () -> go.generate(new int[]{1, 300, 301}, 4, Sampler.greedy()));
        assertTrue(logits.getMessage().contains("the logits of the output layer is not finite"), logits.getMessage());
    }

    /**
     * Keys or values beyond the halves' range (±65504): an F16 cache refuses them naming the layer and the tokens (an
     * infinity there would be a wrong answer with exit 0); an F32 cache holds them.
     */
    @Test
    void valuesAHalfCannotHoldFailAnF16CacheNamingTheLayer() throws IOException {
        Path p = write("big-v.gguf", tiny());
        for (int i = 0; i < 64; i++) {
            putFloat(p, "blk.1.attn_v.weight", i, 1e6f);
        }
        LlamaModel m = LlamaModel.load(p);
        Generator f16 = new Generator(m, new io.starspark.kernels.ReferenceKernels(), KvDtype.F16);
        ModelFormatException e = assertThrows(ModelFormatException.class,
            () -> f16.generate(new int[]{1, 300, 301}, 4, Sampler.greedy()));
        assertTrue(e.getMessage().startsWith(p + ": a value of layer 1 is "), e.getMessage());
        assertTrue(e.getMessage().endsWith(", outside the F16 K/V cache's range (±65504); hold K/V as F32 for this"
            + " model (tokens at positions 0..2)"), e.getMessage());
        Generator f32 = new Generator(m, new io.starspark.kernels.ReferenceKernels(), KvDtype.F32);
        assertEquals(4, f32.generate(new int[]{1, 300, 301}, 0, null, 4, Sampler.greedy(), -1).ids().length);
    }

    private static String tiedOrOutput(Path p) {
        try (GgufFile f = GgufFile.open(p)) {
            return f.hasTensor("output.weight") ? "output.weight" : "token_embd.weight";
        }
    }

    /** Overwrites float {@code index} of an F32 tensor in the file. */
    private static void putFloat(Path p, String tensor, int index, float value) throws IOException {
        long offset;
        try (GgufFile f = GgufFile.open(p)) {
            if (f.tensor(tensor).type() != GgmlType.F32) {
                throw new IllegalStateException(tensor + " is " + f.tensor(tensor).type() + ", not F32");
            }
            offset = f.tensor(tensor).offset() + 4L * index;
        }
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.seek(offset);
            raf.writeInt(Integer.reverseBytes(Float.floatToRawIntBits(value)));
        }
    }
}
