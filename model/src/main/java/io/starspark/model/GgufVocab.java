package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

import java.util.Arrays;
import java.util.List;

/**
 * What every tokenizer holds of its vocabulary (pieces, llama.cpp token types, BOS/EOS) and reads the same way
 * from {@code tokenizer.ggml.*} metadata; the tokenizers extend it.
 */
abstract class GgufVocab {
    protected final String[] pieces; // [vocab]
    protected final int[] types;     // [vocab]
    protected final int bos;
    protected final int eos;

    /** pieces, types: [vocab]; copied. */
    GgufVocab(String[] pieces, int[] types, int bos, int eos) {
        if (pieces.length != types.length) {
            throw new IllegalArgumentException("tokens and token types must have equal lengths (got " + pieces.length
                + ", " + types.length + ")");
        }
        this.pieces = pieces.clone();
        this.types = types.clone();
        this.bos = bos;
        this.eos = eos;
    }

    /** {@code tokenizer.ggml.tokens}: [vocab]. */
    static String[] tokens(GgufFile f) {
        return f.getArray("tokenizer.ggml.tokens").elements().stream().map(String.class::cast).toArray(String[]::new);
    }

    /** {@code tokenizer.ggml.token_type}: [vocab], NORMAL where the file has no type. */
    static int[] types(GgufFile f, int vocab) {
        int[] types = new int[vocab];
        Arrays.fill(types, Tokenizer.TYPE_NORMAL);
        if (f.has("tokenizer.ggml.token_type")) {
            List<?> t = f.getArray("tokenizer.ggml.token_type").elements();
            for (int i = 0; i < vocab && i < t.size(); i++) {
                types[i] = ((Number) t.get(i)).intValue();
            }
        }
        return types;
    }

    /** A vocabulary the constructor rejected, as the one-line error naming the file. */
    static ModelFormatException invalid(GgufFile f, IllegalArgumentException e) {
        return new ModelFormatException(f.path(), "invalid tokenizer: " + e.getMessage(), e);
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** The raw vocabulary entry of {@code id}, as stored in the GGUF. */
    public String piece(int id) {
        return pieces[id];
    }

    public int type(int id) {
        return types[id];
    }
}
