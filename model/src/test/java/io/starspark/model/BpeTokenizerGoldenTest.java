package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.HfTokenizerFiles;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The byte-level BPE tokenizer against goldens from two independent references (oracle/tokenize.mjs): Hugging
 * Face transformers.js on the real tokenizer.json, and llama.cpp (node-llama-cpp) on the same vocabulary
 * converted to GGUF. llama.cpp is the product reference: every text must give llama.cpp's ids with and without
 * parse-special; HF's ids (which always split added tokens, i.e. parse-special) must match too except on the
 * texts where the two references disagree, which are listed here so that the set cannot grow unnoticed.
 */
class BpeTokenizerGoldenTest {
    /** HF applies Qwen's NFC normalizer (llama.cpp does not); llama.cpp makes Qwen's normal token "</s>" a control token. */
    private static final Map<String, List<String>> HF_DIFFERS_FROM_LLAMA_CPP = Map.of(
        "llama3", List.of(),
        "qwen3", List.of("cafe\u0301 decomposed", "<s></s>"));

    /** The family's tokenizer and chat template, read back from a GGUF that HfTokenizerFiles wrote. */
    record RealVocab(Tokenizer tokenizer, ChatTemplate chat) {
    }

    static RealVocab realVocab(String family) {
        try {
            Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
            Path file = Files.createTempFile(dir, family + "-vocab", ".gguf");
            GgufWriter w = new GgufWriter();
            HfTokenizerFiles.read(Oracle.tokenizerDir(family)).putInto(w);
            w.write(file);
            try (GgufFile f = GgufFile.open(file)) {
                Tokenizer tok = Tokenizer.from(f);
                return new RealVocab(tok, ChatTemplate.from(f, tok).orElseThrow());
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Tokenizer tokenizer(String family) {
        return realVocab(family).tokenizer();
    }

    static JsonNode golden(String name) {
        try (InputStream in = BpeTokenizerGoldenTest.class.getResourceAsStream("/golden/" + name)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3"})
    void idsEqualBothReferencesOnEveryText(String family) {
        Tokenizer tok = tokenizer(family);
        JsonNode cases = golden("tokenizer-" + family + ".json").get("cases");
        assertTrue(cases.size() >= 200, "at least 200 texts, got " + cases.size());
        List<String> failures = new ArrayList<>();
        List<String> hfDiffers = new ArrayList<>();
        for (JsonNode c : cases) {
            String text = c.get("text").asText();
            int[] user = tok.encode(text, false, true);
            int[] special = tok.encodeSpecial(text, false);
            check(failures, "llama.cpp", text, ints(c.get("llamacpp")), user);
            check(failures, "llama.cpp parse-special", text, ints(c.get("llamacppSpecial")), special);
            if (!Arrays.equals(ints(c.get("hf")), ints(c.get("llamacppSpecial")))) {
                hfDiffers.add(text);
            } else {
                check(failures, "HF", text, ints(c.get("hf")), special);
            }
            if (!text.equals(tok.decode(user))) {
                failures.add("decode(encode) of " + text + " gave " + tok.decode(user));
            }
        }
        assertEquals(List.of(), failures);
        assertEquals(HF_DIFFERS_FROM_LLAMA_CPP.get(family), hfDiffers);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3"})
    void controlAndEndOfGenerationTokensAreLlamaCpps(String family) {
        Tokenizer tok = tokenizer(family);
        JsonNode g = golden("tokenizer-" + family + ".json");
        List<Integer> control = new ArrayList<>();
        List<Integer> eog = new ArrayList<>();
        for (int id = 0; id < tok.vocabSize(); id++) {
            if (tok.type(id) == Tokenizer.TYPE_CONTROL) {
                control.add(id);
            }
            if (tok.isEndOfGeneration(id)) {
                eog.add(id);
            }
        }
        assertEquals(Arrays.stream(ints(g.get("control"))).boxed().toList(), control);
        assertEquals(Arrays.stream(ints(g.get("eog"))).boxed().toList(), eog);
    }

    private static void check(List<String> failures, String ref, String text, int[] expected, int[] actual) {
        if (!Arrays.equals(expected, actual)) {
            failures.add(ref + " on " + text + ": expected " + Arrays.toString(expected) + " got "
                + Arrays.toString(actual));
        }
    }
}
