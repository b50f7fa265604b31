package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * SentencePiece-BPE tokenizer from GGUF metadata ({@code tokenizer.ggml.model = llama}), encoding like
 * llama.cpp's SPM tokenizer: spaces become U+2581, optional leading space, the text splits into
 * characters, then the adjacent pair whose concatenation is a token with the highest score merges
 * (leftmost first on ties) until none is left; characters that are no token become byte tokens
 * {@code <0xNN>}. Immutable and thread-safe.
 */
public final class SentencePieceTokenizer extends GgufVocab implements Tokenizer {
    private static final char SPACE = '\u2581';

    private final float[] scores;
    private final Map<String, Integer> ids;
    private final int[] byteTokens = new int[256];
    private final SpecialTokens specials;

    /** pieces, scores, types: [vocab]; every byte 0x00..0xFF needs its {@code <0xNN>} piece. */
    public SentencePieceTokenizer(String[] pieces, float[] scores, int[] types, int bos, int eos) {
        super(pieces, types, bos, eos);
        if (pieces.length != scores.length) {
            throw new IllegalArgumentException("pieces and scores must have equal lengths (got "
                + pieces.length + ", " + scores.length + ")");
        }
        this.scores = scores.clone();
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.format("<0x%02X>", b));
            if (id == null) {
                throw new IllegalArgumentException("vocabulary lacks byte token <0x" + String.format("%02X", b) + ">");
            }
            byteTokens[b] = id;
        }
        this.specials = new SpecialTokens(this.pieces, this.types);
    }

    /** Reads the tokenizer from {@code tokenizer.ggml.*} metadata ({@code tokenizer.ggml.model = llama}). */
    static SentencePieceTokenizer from(GgufFile f) {
        String[] pieces = tokens(f);
        float[] scores = new float[pieces.length];
        if (f.has("tokenizer.ggml.scores")) {
            float[] s = f.getFloats("tokenizer.ggml.scores");
            System.arraycopy(s, 0, scores, 0, Math.min(s.length, scores.length));
        }
        int[] types = types(f, pieces.length);
        try {
            return new SentencePieceTokenizer(pieces, scores, types, f.getInt("tokenizer.ggml.bos_token_id", 1),
                f.getInt("tokenizer.ggml.eos_token_id", 2));
        } catch (IllegalArgumentException e) {
            throw invalid(f, e);
        }
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return id == eos;
    }

    /** {@code addSpecial} prepends BOS; {@code atStart} prepends one space (SentencePiece's space prefix). */
    @Override
    public int[] encode(String text, boolean addSpecial, boolean atStart) {
        IntList out = new IntList(text.length() + 1);
        if (addSpecial && this.bos >= 0) { // bos -1: the vocabulary has none
            out.add(this.bos);
        }
        appendPieces(atStart ? " " + text : text, out);
        return out.toArray();
    }

    /**
     * As llama.cpp with parse_special: control and user-defined pieces in {@code text} become their ids, and
     * the text right after one of them (and at the start) gets the space prefix.
     */
    @Override
    public int[] encodeSpecial(String text, boolean addSpecial) {
        IntList out = new IntList(text.length() + 1);
        if (addSpecial && this.bos >= 0) { // bos -1: the vocabulary has none
            out.add(this.bos);
        }
        boolean afterSpecial = true;
        for (SpecialTokens.Fragment f : specials.split(text, true)) {
            if (f.isToken()) {
                out.add(f.token());
                afterSpecial = true;
            } else {
                appendPieces(afterSpecial ? " " + f.text() : f.text(), out);
                afterSpecial = false;
            }
        }
        return out.toArray();
    }

    private void appendPieces(String text, IntList out) {
        String s = text.replace(' ', SPACE);
        if (!s.isEmpty()) {
            merge(s, out);
        }
    }

    /** Concatenated pieces, U+2581 → space, byte tokens reassembled as UTF-8, control tokens omitted. */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokens) {
            if (types[id] == TYPE_CONTROL) {
                continue;
            }
            if (types[id] == TYPE_BYTE) {
                bytes.write(Integer.parseInt(pieces[id].substring(3, 5), 16));
            } else {
                bytes.writeBytes(pieces[id].replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Merges the code points of {@code text} by piece score (highest first) and emits the resulting pieces. */
    private void merge(String text, IntList out) {
        int[] starts = new int[text.codePointCount(0, text.length())];
        for (int i = 0, off = 0; i < starts.length; i++) {
            starts[i] = off;
            off += Character.charCount(text.codePointAt(off));
        }
        int[] bounds = PairMerger.merge(text, starts, (t, from, mid, to) -> {
            Integer id = ids.get(t.substring(from, to));
            return id == null ? Double.NaN : -scores[id];
        });
        for (int i = 0; i + 1 < bounds.length; i++) {
            emit(text.substring(bounds[i], bounds[i + 1]), out);
        }
    }

    private void emit(String symbol, IntList out) {
        Integer id = ids.get(symbol);
        if (id != null) {
            out.add(id);
            return;
        }
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            out.add(byteTokens[b & 0xff]);
        }
    }
}
