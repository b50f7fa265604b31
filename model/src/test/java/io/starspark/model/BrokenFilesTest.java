package io.starspark.model;

import io.starspark.model.gguf.GgmlType;
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
}
