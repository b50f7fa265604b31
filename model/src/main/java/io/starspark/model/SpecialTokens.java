package io.starspark.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits text around added tokens written in it: control tokens (only when parsing special tokens) and
 * user-defined tokens (always), as llama.cpp's {@code tokenizer_st_partition}. Matching is leftmost-longest in
 * one pass (Hugging Face's added-vocabulary matcher); llama.cpp matches the longest token first over the whole
 * text, which differs only for overlapping added tokens, which these vocabularies do not have.
 */
final class SpecialTokens {
    /** A piece of text to tokenize normally ({@code token < 0}) or one added token. */
    record Fragment(String text, int token) {
        boolean isToken() {
            return token >= 0;
        }
    }

    private record Candidate(String text, int id, boolean control) {
    }

    private final Map<Character, Candidate[]> byFirstChar = new HashMap<>(); // longest first
    private final BitSet firstChars = new BitSet(Character.MAX_VALUE + 1);

    SpecialTokens(String[] pieces, int[] types) {
        Map<Character, List<Candidate>> lists = new HashMap<>();
        for (int i = 0; i < pieces.length; i++) {
            boolean control = types[i] == Tokenizer.TYPE_CONTROL;
            if ((control || types[i] == Tokenizer.TYPE_USER_DEFINED) && !pieces[i].isEmpty()) {
                lists.computeIfAbsent(pieces[i].charAt(0), c -> new ArrayList<>())
                    .add(new Candidate(pieces[i], i, control));
            }
        }
        lists.forEach((c, l) -> {
            Candidate[] a = l.toArray(Candidate[]::new);
            Arrays.sort(a, Comparator.comparingInt((Candidate x) -> -x.text().length()).thenComparingInt(Candidate::id));
            byFirstChar.put(c, a);
            firstChars.set(c);
        });
    }

    /** {@code text} as fragments in order; {@code parseSpecial} also matches control tokens. */
    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> out = new ArrayList<>();
        int rawStart = 0;
        int i = 0;
        while (i < text.length()) {
            Candidate hit = match(text, i, parseSpecial);
            if (hit == null) {
                i++;
                continue;
            }
            if (i > rawStart) {
                out.add(new Fragment(text.substring(rawStart, i), -1));
            }
            out.add(new Fragment(hit.text(), hit.id()));
            i += hit.text().length();
            rawStart = i;
        }
        if (rawStart < text.length()) {
            out.add(new Fragment(text.substring(rawStart), -1));
        }
        return out;
    }

    private Candidate match(String text, int at, boolean parseSpecial) {
        if (!firstChars.get(text.charAt(at))) {
            return null;
        }
        Candidate[] cs = byFirstChar.get(text.charAt(at));
        if (cs == null) {
            return null;
        }
        for (Candidate c : cs) {
            if ((parseSpecial || !c.control()) && text.startsWith(c.text(), at)) {
                return c;
            }
        }
        return null;
    }
}
