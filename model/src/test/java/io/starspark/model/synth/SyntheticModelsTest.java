package io.starspark.model.synth;

import io.starspark.errors.UserError;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
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
    @ValueSource(strings = {"f32", "f16", "q8_0"})
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

    @Test
    void vocabIsPaddedToModelSize() {
        SyntheticVocab v = SyntheticVocab.of(32000);
        assertEquals(32000, v.pieces().size());
        assertEquals(32000, new java.util.HashSet<>(v.pieces()).size());
    }

    @Test
    void rejectsUnknownShapeAndDtype() {
        assertEquals("unknown model shape '7b' (expected stories260k, 110m or 1b)",
            assertThrows(UserError.class, () -> SyntheticModels.shape("7b")).getMessage());
        assertThrows(UserError.class,
            () -> SyntheticModels.write("stories260k", "q4_0", 1, dir.resolve("x.gguf")));
    }

    private static int[] range(int n) {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = i;
        }
        return out;
    }
}
