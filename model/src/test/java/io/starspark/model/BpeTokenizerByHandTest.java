package io.starspark.model;

import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufValue;
import io.starspark.model.gguf.GgufValueType;
import io.starspark.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Byte-level BPE on a vocabulary small enough to merge by hand: ids 0..255 are GPT-2's byte characters in byte
 * order (so byte b is id b), then a few merged pieces and added tokens. Expected ids follow GPT-2's rule (lowest
 * merge rank first) and llama.cpp's pre-tokenizers; the goldens (BpeTokenizerGoldenTest) check the same code on
 * the real Llama 3 and Qwen vocabularies.
 */
class BpeTokenizerByHandTest {
    private static final int AB = 256;
    private static final int BC = 257;
    private static final int ABC = 258;
    private static final int SPACE_A = 259; // "Ġa"
    private static final int EOT = 260;     // <|eot_id|>: end of generation by its text, control whatever the file says
    private static final int USER = 261;    // <|user|>, user-defined
    private static final int TWELVE = 262;  // "12"
    private static final int WIDE = 263;    // "x✓ƐȀ": a normal piece with characters that are no byte character
    private static final int END = 264;     // <|end_of_text|>, the EOS here
    private static final int CUSTOM = 265;  // <|custom_eot|>, end of turn only through the eot id
    private static final int UNUSED = 266;  // type UNUSED: left out of decoded text
    private static final int LONGER = 267;  // <|user|>!, user-defined, a longer added token after <|user|>
    private static final int VOCAB = 268;

    @TempDir
    Path dir;

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the others for 256, 257, ... */
    static char byteChar(int b) {
        int next = 256;
        for (int x = 0; x < 256; x++) {
            boolean printable = (x >= 0x21 && x <= 0x7E) || (x >= 0xA1 && x <= 0xAC) || (x >= 0xAE && x <= 0xFF);
            if (x == b) {
                return printable ? (char) x : (char) next;
            }
            if (!printable) {
                next++;
            }
        }
        throw new IllegalArgumentException("not a byte: " + b);
    }

    static String[] pieces() {
        String[] p = new String[VOCAB];
        for (int b = 0; b < 256; b++) {
            p[b] = String.valueOf(byteChar(b));
        }
        p[AB] = "ab";
        p[BC] = "bc";
        p[ABC] = "abc";
        p[SPACE_A] = byteChar(' ') + "a";
        p[EOT] = "<|eot_id|>";
        p[USER] = "<|user|>";
        p[TWELVE] = "12";
        p[WIDE] = "x\u2713\u0190\u0200";
        p[END] = "<|end_of_text|>";
        p[CUSTOM] = "<|custom_eot|>";
        p[UNUSED] = "unused";
        p[LONGER] = "<|user|>!";
        return p;
    }

    static int[] types() {
        int[] t = new int[VOCAB];
        Arrays.fill(t, Tokenizer.TYPE_NORMAL);
        t[USER] = Tokenizer.TYPE_USER_DEFINED;
        t[END] = Tokenizer.TYPE_CONTROL;
        t[CUSTOM] = Tokenizer.TYPE_CONTROL;
        t[UNUSED] = Tokenizer.TYPE_UNUSED;
        t[LONGER] = Tokenizer.TYPE_USER_DEFINED;
        return t; // EOT stays NORMAL here: its text makes it control
    }

    /** "b c" before "a b": abc splits as a, bc without ignore_merges. */
    static final List<String> MERGES = List.of("b c", "a b", "1 2", byteChar(' ') + " a", "x y");

    private static BpeTokenizer tokenizer(BpeTokenizer.Pre pre, boolean addBos) {
        return new BpeTokenizer(pieces(), types(), MERGES, pre, 'B', END, CUSTOM, -1, addBos);
    }

    @Test
    void lowestRankMergesFirstAndLlamaBpeLooksWholeWordsUp() {
        BpeTokenizer qwen = tokenizer(BpeTokenizer.Pre.QWEN2, false);
        assertArrayEquals(new int[] {'a', BC}, qwen.encode("abc", false, true), "b c (rank 0) before a b (rank 1)");
        assertArrayEquals(new int[] {AB}, qwen.encode("ab", false, true));
        assertArrayEquals(new int[] {' ', AB, ' ', 'x'}, qwen.encode(" ab x", false, true),
            "words Ġab and Ġx: a b (rank 1) merges before Ġ a (rank 3) could");
        assertArrayEquals(new int[] {SPACE_A}, qwen.encode(" a", false, true), "Ġ a (rank 3)");
        BpeTokenizer llama = tokenizer(BpeTokenizer.Pre.LLAMA_BPE, false);
        assertArrayEquals(new int[] {ABC}, llama.encode("abc", false, true), "the whole word is a token");
        assertArrayEquals(new int[] {'a', BC, 'd'}, llama.encode("abcd", false, true), "not a token: merged");
        assertArrayEquals(new int[] {'x', 'y'}, qwen.encode("xy", false, true), "merged by x y, but xy is no token");
    }

    @Test
    void digitsSplitPerPreTokenizer() {
        assertArrayEquals(new int[] {TWELVE, '3', '4', '5'},
            tokenizer(BpeTokenizer.Pre.LLAMA_BPE, false).encode("12345", false, true), "llama-bpe: 123 | 45");
        assertArrayEquals(new int[] {'1', '2', '3', '4', '5'},
            tokenizer(BpeTokenizer.Pre.QWEN2, false).encode("12345", false, true), "qwen2: one digit a word");
    }

    @Test
    void bosOnlyWhereTheVocabularyAddsIt() {
        assertArrayEquals(new int[] {'B', AB}, tokenizer(BpeTokenizer.Pre.QWEN2, true).encode("ab", true, false));
        assertArrayEquals(new int[] {AB}, tokenizer(BpeTokenizer.Pre.QWEN2, true).encode("ab", false, false));
        assertArrayEquals(new int[] {AB}, tokenizer(BpeTokenizer.Pre.QWEN2, false).encode("ab", true, false));
        assertArrayEquals(new int[] {'B', EOT}, tokenizer(BpeTokenizer.Pre.QWEN2, true).encodeSpecial("<|eot_id|>", true));
    }

    @Test
    void addedTokensAndEndOfGeneration() {
        BpeTokenizer t = tokenizer(BpeTokenizer.Pre.QWEN2, false);
        assertEquals(Tokenizer.TYPE_CONTROL, t.type(EOT), "<|eot_id|> is control by its text");
        assertArrayEquals(new int[] {EOT, AB}, t.encodeSpecial("<|eot_id|>ab", false));
        int[] typed = t.encode("<|eot_id|>", false, false);
        assertTrue(typed.length > 1 && Arrays.stream(typed).noneMatch(id -> id == EOT), Arrays.toString(typed));
        assertArrayEquals(new int[] {USER, AB}, t.encode("<|user|>ab", false, false), "user-defined: matched always");
        assertArrayEquals(new int[] {LONGER, AB, USER}, t.encode("<|user|>!ab<|user|>", false, false),
            "the longest added token that matches, whatever the ids' order");
        for (int id = 0; id < VOCAB; id++) {
            assertEquals(id == EOT || id == END || id == CUSTOM, t.isEndOfGeneration(id), "id " + id);
        }
        assertEquals('B', t.bos());
        assertEquals(END, t.eos());
    }

    @Test
    void decodeMapsByteCharactersBackAndLeavesControlAndUnusedOut() {
        BpeTokenizer t = tokenizer(BpeTokenizer.Pre.QWEN2, false);
        assertEquals(" ab<|user|>x\u2713\u0190\u0200\n", t.decode(new int[] {SPACE_A, 'b', EOT, USER, WIDE, END, UNUSED, '\n'}));
        assertEquals("\u0000", t.decode(new int[] {0}), "byte 0 (character U+0100)");
        assertEquals("\u00e9", t.decode(new int[] {0xC3, 0xA9}), "é from its two UTF-8 bytes");
        assertArrayEquals(new int[] {0xC3, 0xA9}, t.encode("\u00e9", false, true));
        assertEquals("\uFFFD", t.decode(new int[] {0xC3}), "a cut UTF-8 sequence");
        String again = "ab abc 12 ab";
        assertEquals(again, t.decode(t.encode(again, false, true)));
        assertArrayEquals(t.encode(again, false, true), t.encode(again, false, true), "a cached word gives the same ids");
    }

    @Test
    void badVocabulariesAreRefusedNamingTheProblem() {
        assertEquals("bos token id -1 is outside the vocabulary of " + VOCAB, assertThrows(IllegalArgumentException.class,
            () -> new BpeTokenizer(pieces(), types(), MERGES, BpeTokenizer.Pre.QWEN2, -1, END, -1, -1, true))
            .getMessage());
        new BpeTokenizer(pieces(), types(), MERGES, BpeTokenizer.Pre.QWEN2, -1, END, -1, -1, false);
        BpeTokenizer ends = new BpeTokenizer(pieces(), types(), MERGES, BpeTokenizer.Pre.QWEN2, 0, 'E', 0, VOCAB - 1,
            true);
        assertTrue(ends.isEndOfGeneration('E') && ends.isEndOfGeneration(0) && ends.isEndOfGeneration(VOCAB - 1),
            "EOS, EOT and EOM at the vocabulary's ends");
        assertFalse(ends.isEndOfGeneration('F'));
        assertArrayEquals(new int[] {0, AB}, ends.encode("ab", true, false), "BOS 0");
        for (int[] eotEom : new int[][] {{VOCAB, -1}, {-1, VOCAB}}) {
            assertEquals("eot/eom token id " + VOCAB + " is outside the vocabulary of " + VOCAB,
                assertThrows(IllegalArgumentException.class, () -> new BpeTokenizer(pieces(), types(), MERGES,
                    BpeTokenizer.Pre.QWEN2, 'B', END, eotEom[0], eotEom[1], false)).getMessage());
        }
        for (String bad : new String[] {"ab", " ab"}) {
            List<String> merges = new ArrayList<>(MERGES);
            merges.add(bad);
            assertEquals("merge 5 '" + bad + "' is not 'left right'", assertThrows(IllegalArgumentException.class,
                () -> new BpeTokenizer(pieces(), types(), merges, BpeTokenizer.Pre.QWEN2, 'B', END, -1, -1, false))
                .getMessage());
        }
        String[] noZ = pieces();
        noZ['z'] = "zz";
        assertEquals("vocabulary lacks the byte-level token 'z'", assertThrows(IllegalArgumentException.class,
            () -> new BpeTokenizer(noZ, types(), MERGES, BpeTokenizer.Pre.QWEN2, 'B', END, -1, -1, false)).getMessage());
    }

    private GgufWriter vocab(String pre) {
        GgufWriter w = new GgufWriter().putString("tokenizer.ggml.model", "gpt2")
            .put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufValueType.STRING, Arrays.asList(pieces())))
            .put("tokenizer.ggml.merges", GgufValue.ofArray(GgufValueType.STRING, MERGES))
            .putUint32("tokenizer.ggml.eos_token_id", END);
        return pre == null ? w : w.putString("tokenizer.ggml.pre", pre);
    }

    private Tokenizer read(GgufWriter w) {
        Path p = dir.resolve("v" + System.nanoTime() + ".gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            return Tokenizer.from(f);
        }
    }

    private String readError(GgufWriter w) {
        Path p = dir.resolve("e" + System.nanoTime() + ".gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            return assertThrows(ModelFormatException.class, () -> Tokenizer.from(f)).getMessage()
                .substring(p.toString().length() + 2);
        }
    }

    @Test
    void fromFileReadsPreTokenizerBosRuleAndIds() {
        for (String llama : new String[] {"llama-bpe", "llama3", "llama-v3"}) {
            Tokenizer t = read(vocab(llama).putUint32("tokenizer.ggml.bos_token_id", 'B'));
            assertArrayEquals(new int[] {'B', ABC}, t.encode("abc", true, true), llama + ": whole words, BOS by default");
        }
        Tokenizer qwen = read(vocab("qwen2").putUint32("tokenizer.ggml.bos_token_id", 'B'));
        assertArrayEquals(new int[] {'a', BC}, qwen.encode("abc", true, true), "qwen2: merges, no BOS by default");
        Tokenizer asked = read(vocab("qwen2").putUint32("tokenizer.ggml.bos_token_id", 'B')
            .put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true)));
        assertArrayEquals(new int[] {'B', 'a', BC}, asked.encode("abc", true, true), "add_bos_token true");
        Tokenizer declined = read(vocab("llama-bpe").putUint32("tokenizer.ggml.bos_token_id", 'B')
            .put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(false)));
        assertArrayEquals(new int[] {ABC}, declined.encode("abc", true, true), "add_bos_token false");
        Tokenizer turns = read(vocab("qwen2").putUint32("tokenizer.ggml.eot_token_id", WIDE)
            .putUint32("tokenizer.ggml.eom_token_id", 'q'));
        assertTrue(turns.isEndOfGeneration(WIDE) && turns.isEndOfGeneration('q'));
        assertFalse(turns.isEndOfGeneration(CUSTOM), "no eot id given: <|custom_eot|> is not an end");
        assertEquals(-1, turns.bos());
        assertEquals(Tokenizer.TYPE_NORMAL, turns.type(USER), "no token types in the file: normal");

        assertEquals("unsupported tokenizer pre-tokenizer '(missing)' (supported: llama-bpe, qwen2)",
            readError(vocab(null)));
        assertEquals("invalid tokenizer: bos token id -1 is outside the vocabulary of " + VOCAB,
            readError(vocab("llama-bpe")));
    }
}
