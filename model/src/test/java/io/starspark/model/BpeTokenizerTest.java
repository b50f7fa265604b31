package io.starspark.model;

import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.HfTokenizerFiles;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Byte-level BPE behaviour the goldens do not spell out: BOS rules, look-alikes, partial UTF-8, bad metadata. */
class BpeTokenizerTest {
    private static Tokenizer llama3;
    private static Tokenizer qwen3;

    @TempDir
    Path tmp;

    @BeforeAll
    static void load() {
        llama3 = BpeTokenizerGoldenTest.tokenizer("llama3");
        qwen3 = BpeTokenizerGoldenTest.tokenizer("qwen3");
    }

    @Test
    void bosFollowsTheVocabularysRule() {
        assertEquals(128000, llama3.encode("Hi", true, true)[0], "llama-bpe adds BOS by default");
        assertArrayEquals(qwen3.encode("Hi", false, true), qwen3.encode("Hi", true, true), "Qwen adds none");
    }

    @Test
    void userTextNeverBecomesAControlTokenButTemplateTextDoes() {
        int[] user = llama3.encode("<|eot_id|>", false, true);
        assertTrue(user.length > 1 && Arrays.stream(user).allMatch(id -> llama3.type(id) == Tokenizer.TYPE_NORMAL),
            Arrays.toString(user));
        assertArrayEquals(new int[]{128009}, llama3.encodeSpecial("<|eot_id|>", false));
        assertArrayEquals(new int[]{151667}, qwen3.encode("<think>", false, true), "user-defined tokens match always");
    }

    @Test
    void endOfGenerationCoversEosAndEndOfTurn() {
        assertTrue(llama3.isEndOfGeneration(128001));
        assertTrue(llama3.isEndOfGeneration(128009));
        assertFalse(llama3.isEndOfGeneration(128006));
        assertTrue(qwen3.isEndOfGeneration(151645));
    }

    @Test
    void bytesSplitAcrossTokensDecodeWhole() {
        String text = "\uD800\uDF48"; // U+10348 GOTHIC LETTER HWAIR: 4 UTF-8 bytes, no token of its own
        int[] ids = qwen3.encode(text, false, true);
        assertEquals(text, qwen3.decode(ids));
        String partial = qwen3.decode(Arrays.copyOf(ids, 1));
        assertTrue(partial.endsWith("\uFFFD"), "a cut UTF-8 sequence decodes to U+FFFD, got " + partial);
        byte[] whole = text.getBytes(StandardCharsets.UTF_8);
        assertTrue(ids.length > 1 && ids.length <= whole.length);
    }

    @Test
    void controlTokensAreLeftOutOfDecodedText() {
        assertEquals("Hi", llama3.decode(llama3.encodeSpecial("<|begin_of_text|>Hi<|eot_id|>", false)));
    }

    @Test
    void unknownTokenizerModelAndPreTokenizerAreOneLineErrors() {
        GgufWriter w = new GgufWriter();
        HfTokenizerFiles.read(Oracle.tokenizerDir("qwen3")).putInto(w);
        w.putString("tokenizer.ggml.pre", "falcon");
        Path f1 = tmp.resolve("pre.gguf");
        w.write(f1);
        try (GgufFile f = GgufFile.open(f1)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.from(f));
            assertEquals(f1 + ": unsupported tokenizer pre-tokenizer 'falcon' (supported: llama-bpe, qwen2)",
                e.getMessage());
        }
        w.putString("tokenizer.ggml.model", "t5");
        Path f2 = tmp.resolve("model.gguf");
        w.write(f2);
        try (GgufFile f = GgufFile.open(f2)) {
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> Tokenizer.from(f));
            assertEquals(f2 + ": unsupported tokenizer model 't5' (supported: llama, gpt2)", e.getMessage());
        }
    }

    @Test
    void sentencePieceParseSpecialKeepsControlPieces() {
        Tokenizer spm = Stories.model().tokenizer();
        int[] ids = spm.encodeSpecial("<s>Once upon a time", false);
        assertEquals(spm.bos(), ids[0]);
        assertArrayEquals(spm.encode("Once upon a time", false, true), Arrays.copyOfRange(ids, 1, ids.length),
            "after a control token the text gets the space prefix, like llama.cpp");
        assertFalse(Arrays.stream(spm.encode("<s>", false, true)).anyMatch(id -> id == spm.bos()));
    }
}
