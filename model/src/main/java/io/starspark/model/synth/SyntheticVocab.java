package io.starspark.model.synth;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A small valid SentencePiece vocabulary: {@code <unk> <s> </s>}, the 256 byte tokens, single
 * characters, and a few English words with every prefix (so merges can build them), padded with
 * {@code <unused_N>} pieces to the requested size.
 *
 * @param pieces [vocab]; scores [vocab]; types [vocab] (llama.cpp token types)
 */
record SyntheticVocab(List<String> pieces, List<Float> scores, List<Integer> types) {
    private static final int REAL_PIECES = 512;
    private static final String WORDS = "the and was to a he she it day big said so Lily Tom once upon time there "
        + "little girl boy named play park dog cat happy saw ball red sun tree went they with her his you one";

    static SyntheticVocab of(int vocab) {
        List<String> p = new ArrayList<>();
        List<Float> s = new ArrayList<>();
        List<Integer> t = new ArrayList<>();
        add(p, s, t, "<unk>", 0f, 2);
        add(p, s, t, "<s>", 0f, 3);
        add(p, s, t, "</s>", 0f, 3);
        for (int b = 0; b < 256; b++) {
            add(p, s, t, String.format("<0x%02X>", b), 0f, 6);
        }
        int limit = Math.min(vocab, REAL_PIECES);
        for (String piece : normalPieces()) {
            if (p.size() >= limit) {
                break;
            }
            add(p, s, t, piece, -p.size(), 1);
        }
        while (p.size() < vocab) {
            add(p, s, t, "<unused_" + p.size() + ">", -1e9f, 5);
        }
        if (p.size() > vocab) {
            throw new IllegalArgumentException("vocab must be at least " + p.size() + " (got " + vocab + ")");
        }
        return new SyntheticVocab(p, s, t);
    }

    private static Set<String> normalPieces() {
        Set<String> out = new LinkedHashSet<>();
        out.add("\u2581");
        for (char ch : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"".toCharArray()) {
            out.add(String.valueOf(ch));
        }
        for (char ch = 'a'; ch <= 'z'; ch++) {
            out.add("\u2581" + ch);
        }
        for (String w : WORDS.split(" ")) {
            String word = "\u2581" + w;
            for (int i = 2; i <= word.length(); i++) {
                out.add(word.substring(0, i));
            }
        }
        return out;
    }

    private static void add(List<String> p, List<Float> s, List<Integer> t, String piece, float score, int type) {
        p.add(piece);
        s.add(score);
        t.add(type);
    }
}
