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
 * SentencePiece BPE on a vocabulary small enough to merge by hand: the expected ids below follow llama.cpp's SPM
 * rule (the adjacent pair whose concatenation is the highest-scoring piece merges first, leftmost on ties; what
 * is left unknown falls back to byte pieces). The stories260K goldens (GoldenTest) check the same code on a
 * real vocabulary.
 */
class SentencePieceTokenizerTest {
    private static final int BYTE0 = 3; // <0x00> .. <0xFF> are ids 3..258
    private static final int SPACE = 259;  // ▁
    private static final int A = 260;
    private static final int B = 261;
    private static final int AB = 262;
    private static final int SPACE_A = 263;
    private static final int SPACE_AB = 264;
    private static final int BB = 265;
    private static final int TAG = 266;    // <tag>, user-defined

    @TempDir
    Path dir;

    private static final List<String> PIECES = new ArrayList<>();
    private static final List<Float> SCORES = new ArrayList<>();
    private static final List<Integer> TYPES = new ArrayList<>();

    static {
        add("<unk>", 0f, Tokenizer.TYPE_UNKNOWN);
        add("<s>", 0f, Tokenizer.TYPE_CONTROL);
        add("</s>", 0f, Tokenizer.TYPE_CONTROL);
        for (int b = 0; b < 256; b++) {
            add(String.format("<0x%02X>", b), 0f, Tokenizer.TYPE_BYTE);
        }
        add("\u2581", -1f, Tokenizer.TYPE_NORMAL);
        add("a", -2f, Tokenizer.TYPE_NORMAL);
        add("b", -3f, Tokenizer.TYPE_NORMAL);
        add("ab", -0.5f, Tokenizer.TYPE_NORMAL);
        add("\u2581a", -0.4f, Tokenizer.TYPE_NORMAL);
        add("\u2581ab", -0.1f, Tokenizer.TYPE_NORMAL);
        add("bb", -0.3f, Tokenizer.TYPE_NORMAL);
        add("<tag>", 0f, Tokenizer.TYPE_USER_DEFINED);
    }

    private static void add(String piece, float score, int type) {
        PIECES.add(piece);
        SCORES.add(score);
        TYPES.add(type);
    }

    private static String[] pieces() {
        return PIECES.toArray(String[]::new);
    }

    private static float[] scores() {
        float[] s = new float[SCORES.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = SCORES.get(i);
        }
        return s;
    }

    private static int[] types() {
        return TYPES.stream().mapToInt(Integer::intValue).toArray();
    }

    private static SentencePieceTokenizer tokenizer(int bos, int eos) {
        return new SentencePieceTokenizer(pieces(), scores(), types(), bos, eos);
    }

    @Test
    void highestScoringPairMergesFirstLeftmostOnTies() {
        Tokenizer t = tokenizer(1, 2);
        assertArrayEquals(new int[] {1, SPACE_AB}, t.encode("ab", true, true), "▁a (-0.4) before ab (-0.5), then ▁ab");
        assertArrayEquals(new int[] {AB}, t.encode("ab", false, false), "no space prefix mid-sequence");
        assertArrayEquals(new int[] {A, BB}, t.encode("abb", false, false), "bb (-0.3) before ab (-0.5)");
        assertArrayEquals(new int[] {BB, B}, t.encode("bbb", false, false), "equal pairs: the leftmost merges");
        assertArrayEquals(new int[] {B, AB}, t.encode("bab", false, false));
        assertArrayEquals(new int[] {SPACE_AB, SPACE_A}, t.encode("ab a", false, true));
        assertArrayEquals(new int[] {1}, t.encode("", true, false));
        assertArrayEquals(new int[] {SPACE}, t.encode("", false, true));
        assertArrayEquals(new int[0], t.encode("", false, false));
    }

    @Test
    void unknownCharactersBecomeTheirUtf8BytePieces() {
        Tokenizer t = tokenizer(1, 2);
        assertArrayEquals(new int[] {A, BYTE0 + 'c', B}, t.encode("acb", false, false));
        assertArrayEquals(new int[] {BYTE0 + 0xC3, BYTE0 + 0xA9}, t.encode("\u00e9", false, false), "é is C3 A9");
        assertArrayEquals(new int[] {BYTE0 + 0xF0, BYTE0 + 0x90, BYTE0 + 0x8D, BYTE0 + 0x88},
            t.encode("\uD800\uDF48", false, false), "a code point outside the BMP: 4 bytes");
        assertEquals(" ab\u00e9c", t.decode(new int[] {1, SPACE_AB, BYTE0 + 0xC3, BYTE0 + 0xA9, BYTE0 + 'c', 2}),
            "control pieces left out, bytes joined before UTF-8 decoding");
        assertEquals("\uFFFD", t.decode(new int[] {BYTE0 + 0xC3}), "a cut UTF-8 sequence");
        assertEquals("<tag> bb", t.decode(new int[] {TAG, SPACE, BB}));
    }

    @Test
    void parseSpecialKeepsControlAndUserDefinedPiecesWhole() {
        Tokenizer t = tokenizer(1, 2);
        assertArrayEquals(new int[] {1, SPACE_AB, TAG, SPACE, B}, t.encodeSpecial("<s>ab<tag>b", false),
            "the text after an added piece gets the space prefix");
        assertArrayEquals(new int[] {1, SPACE_AB, 2}, t.encodeSpecial("ab</s>", true));
        assertArrayEquals(new int[] {SPACE_A, BYTE0 + '<', BYTE0 + 's', BYTE0 + '>'}, t.encode("a<s>", false, true),
            "user text: <s> is text");
    }

    @Test
    void bosIsAddedOnlyWhenAskedAndWhenTheVocabularyHasOne() {
        Tokenizer none = tokenizer(-1, 2);
        assertArrayEquals(new int[] {SPACE_AB}, none.encode("ab", true, true));
        assertArrayEquals(new int[] {SPACE_AB}, none.encodeSpecial("ab", true));
        assertEquals(-1, none.bos());
        Tokenizer t = tokenizer(1, 2);
        assertArrayEquals(new int[] {SPACE_AB}, t.encode("ab", false, true));
        assertArrayEquals(new int[] {SPACE_AB}, t.encodeSpecial("ab", false));
        assertEquals(1, t.bos());
        assertEquals(2, t.eos());
        assertTrue(t.isEndOfGeneration(2));
        assertFalse(t.isEndOfGeneration(1));
        assertEquals(PIECES.size(), t.vocabSize());
        assertEquals("\u2581ab", t.piece(SPACE_AB));
        assertEquals(Tokenizer.TYPE_USER_DEFINED, t.type(TAG));
    }

    @Test
    void badVocabulariesAreRefusedAtTheirBoundaries() {
        int last = PIECES.size() - 1;
        tokenizer(-1, 0);
        tokenizer(last, last);
        for (int[] bad : new int[][] {{-2, 2}, {last + 1, 2}, {1, -1}, {1, last + 1}}) {
            assertEquals("BOS id " + bad[0] + " and EOS id " + bad[1] + " must be token ids 0.." + last
                + " (BOS -1: none)", assertThrows(IllegalArgumentException.class, () -> tokenizer(bad[0], bad[1]))
                .getMessage());
        }
        assertEquals("pieces and scores must have equal lengths (got " + PIECES.size() + ", " + (PIECES.size() - 1) + ")",
            assertThrows(IllegalArgumentException.class, () -> new SentencePieceTokenizer(pieces(),
                Arrays.copyOf(scores(), PIECES.size() - 1), types(), 1, 2)).getMessage());
        assertEquals("tokens and token types must have equal lengths (got " + PIECES.size() + ", 3)",
            assertThrows(IllegalArgumentException.class, () -> new SentencePieceTokenizer(pieces(), scores(),
                new int[3], 1, 2)).getMessage());
        String[] noA = pieces();
        noA[BYTE0 + 0x41] = "x";
        assertEquals("vocabulary lacks byte token <0x41>", assertThrows(IllegalArgumentException.class,
            () -> new SentencePieceTokenizer(noA, scores(), types(), 1, 2)).getMessage());
    }

    private GgufFile file(GgufWriter w) {
        Path p = dir.resolve("v" + System.nanoTime() + ".gguf");
        w.write(p);
        return GgufFile.open(p);
    }

    private static GgufWriter vocab() {
        return new GgufWriter().putString("tokenizer.ggml.model", "llama")
            .put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufValueType.STRING, PIECES));
    }

    @Test
    void fromFileDefaultsMissingScoresTypesAndIds() {
        try (GgufFile f = file(vocab().put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValueType.FLOAT32, SCORES))
            .put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValueType.INT32, TYPES)))) {
            Tokenizer t = Tokenizer.from(f);
            assertArrayEquals(new int[] {A, BB}, t.encode("abb", false, false), "the file's scores");
            assertEquals(1, t.bos(), "BOS defaults to 1");
            assertEquals(2, t.eos(), "EOS defaults to 2");
            assertEquals("ab", t.decode(new int[] {1, AB}), "the file's types: <s> is control");
        }
        try (GgufFile f = file(vocab())) {
            Tokenizer t = Tokenizer.from(f);
            assertArrayEquals(new int[] {AB, B}, t.encode("abb", false, false), "no scores: all 0, leftmost first");
            assertEquals(Tokenizer.TYPE_NORMAL, t.type(1), "no types: every piece normal");
        }
        List<Float> shortScores = new ArrayList<>(SCORES.subList(0, SPACE_AB));
        shortScores.add(5f);
        List<Integer> shortTypes = TYPES.subList(0, 2);
        try (GgufFile f = file(vocab().put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValueType.FLOAT32, shortScores))
            .put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValueType.INT32, shortTypes))
            .putUint32("tokenizer.ggml.bos_token_id", 0).putUint32("tokenizer.ggml.eos_token_id", 1))) {
            Tokenizer t = Tokenizer.from(f);
            assertArrayEquals(new int[] {0, SPACE_AB}, t.encode("ab", true, true), "scores past the given ones are 0; BOS 0");
            assertArrayEquals(new int[] {0, SPACE_AB}, t.encodeSpecial("ab", true), "BOS 0 with parse-special too");
            assertEquals(1, t.eos());
            assertEquals(Tokenizer.TYPE_CONTROL, t.type(1), "the given types");
            assertEquals(Tokenizer.TYPE_NORMAL, t.type(2), "past the given types: normal");
        }
        try (GgufFile f = file(vocab().putUint32("tokenizer.ggml.eos_token_id", PIECES.size()))) {
            assertEquals(f.path() + ": invalid tokenizer: BOS id 1 and EOS id " + PIECES.size()
                    + " must be token ids 0.." + (PIECES.size() - 1) + " (BOS -1: none)",
                assertThrows(ModelFormatException.class, () -> Tokenizer.from(f)).getMessage());
        }
    }
}
