package io.starspark.model;

import io.starspark.model.gguf.GgmlType;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufTensor;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.SyntheticModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every tensor is checked against the config's shape where it is loaded; ties and optional tensors. */
class LlamaWeightsTest {
    @TempDir
    Path dir;

    /** stories260k-shaped f32 file (dim 64, 8 heads of 8, 4 KV heads, FFN 172, vocab 512, 5 layers). */
    private Path stories() {
        Path p = dir.resolve("stories.gguf");
        SyntheticModels.write("stories260k", "f32", 11L, p);
        return p;
    }

    /** A copy of {@code source} with tensor {@code name} given {@code dims} (all 0.5), or left out when dims is null. */
    private Path withTensor(Path source, String name, long[] dims) {
        Path p = dir.resolve("changed-" + System.nanoTime() + ".gguf");
        try (GgufFile f = GgufFile.open(source)) {
            GgufWriter w = new GgufWriter();
            f.metadata().forEach(w::put);
            for (GgufTensor t : f.tensors().values()) {
                if (!t.name().equals(name)) {
                    float[] all = f.floats(t.name());
                    int cols = (int) t.cols();
                    w.tensor(t.name(), GgmlType.F32, t.dims(), (r, dst) -> System.arraycopy(all, (int) r * cols, dst, 0, cols));
                } else if (dims != null) {
                    w.tensor(name, GgmlType.F32, dims, (r, dst) -> Arrays.fill(dst, 0.5f));
                }
            }
            w.write(p);
        }
        return p;
    }

    private static String error(Path p) {
        String m = assertThrows(ModelFormatException.class, () -> LlamaModel.load(p)).getMessage();
        assertTrue(m.startsWith(p + ": "), m);
        return m.substring(p.toString().length() + 2);
    }

    @Test
    void matricesAndVectorsOfTheWrongShapeAreRefusedNamingBoth() {
        Path s = stories();
        assertEquals("tensor 'blk.0.attn_q.weight' has shape [64, 64, 1], expected [64, 64]",
            error(withTensor(s, "blk.0.attn_q.weight", new long[] {64, 64, 1})));
        assertEquals("tensor 'blk.3.attn_k.weight' has shape [32, 32], expected [64, 32]",
            error(withTensor(s, "blk.3.attn_k.weight", new long[] {32, 32})));
        assertEquals("tensor 'blk.4.ffn_down.weight' has shape [172, 32], expected [172, 64]",
            error(withTensor(s, "blk.4.ffn_down.weight", new long[] {172, 32})));
        assertEquals("tensor 'output.weight' has shape [64, 511], expected [64, 512]",
            error(withTensor(s, "output.weight", new long[] {64, 511})));
        assertEquals("tensor 'blk.1.ffn_norm.weight' has shape [64, 1], expected [64]",
            error(withTensor(s, "blk.1.ffn_norm.weight", new long[] {64, 1})));
        assertEquals("tensor 'output_norm.weight' has shape [32], expected [64]",
            error(withTensor(s, "output_norm.weight", new long[] {32})));
        assertEquals("missing tensor 'blk.2.ffn_up.weight'", error(withTensor(s, "blk.2.ffn_up.weight", null)));
    }

    @Test
    void everyLayerReadsItsOwnTensors() {
        Path s = stories();
        LlamaWeights w = LlamaModel.load(s).weights();
        assertEquals(5, w.layers().size());
        try (GgufFile f = GgufFile.open(s)) {
            for (int l = 0; l < 5; l++) {
                LlamaWeights.Layer layer = w.layers().get(l);
                String p = "blk." + l + ".";
                assertEquals(Arrays.toString(f.floats(p + "attn_norm.weight")), Arrays.toString(layer.attnNorm()));
                assertEquals(Arrays.toString(f.floats(p + "ffn_norm.weight")), Arrays.toString(layer.ffnNorm()));
                float[] row = new float[64];
                layer.wv().loadRow(3, row, 0);
                assertEquals(Arrays.toString(Arrays.copyOfRange(f.floats(p + "attn_v.weight"), 3 * 64, 4 * 64)),
                    Arrays.toString(row), p + "attn_v row 3");
                assertNull(layer.bq());
                assertNull(layer.qNorm());
                assertNull(layer.kNorm());
            }
        }
        assertNotSame(w.tokenEmbedding(), w.output(), "stories260k has its own output matrix");
    }

    @Test
    void withoutAnOutputTensorTheEmbeddingIsTheOutput() {
        Path tied = withTensor(stories(), "output.weight", null);
        LlamaModel m = LlamaModel.load(tied);
        assertTrue(m.config().tiedOutput());
        assertSame(m.weights().tokenEmbedding(), m.weights().output());
    }

    /** A one-layer model of {@code family}: dim 32, 2 heads of 16, 1 KV head, vocab 320. */
    private Path tiny(SyntheticModels.Family family) {
        Path p = dir.resolve(family + ".gguf");
        SyntheticModels.writer(new SyntheticModels.Shape("tiny", family, 32, 1, 2, 1, 16, 64, 320, 128, 1e6f, 1e-6f,
            null), "f32", 5L).write(p);
        return p;
    }

    @Test
    void biasesAndHeadNormsAreReadWherePresentAndChecked() {
        Path p2 = tiny(SyntheticModels.Family.QWEN2);
        LlamaWeights.Layer l2 = LlamaModel.load(p2).weights().layers().get(0);
        assertEquals(32, l2.bq().length);
        assertEquals(16, l2.bk().length);
        assertEquals(16, l2.bv().length);
        assertNull(l2.qNorm());
        assertEquals("tensor 'blk.0.attn_k.bias' has shape [32], expected [16]",
            error(withTensor(p2, "blk.0.attn_k.bias", new long[] {32})));
        Path p3 = tiny(SyntheticModels.Family.QWEN3);
        LlamaWeights.Layer l3 = LlamaModel.load(p3).weights().layers().get(0);
        assertEquals(16, l3.qNorm().length);
        assertEquals(16, l3.kNorm().length);
        assertNull(l3.bq());
        assertEquals("missing tensor 'blk.0.attn_k_norm.weight'", error(withTensor(p3, "blk.0.attn_k_norm.weight", null)));
    }
}
