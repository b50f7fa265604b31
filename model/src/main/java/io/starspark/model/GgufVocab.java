package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

import java.util.Arrays;
import java.util.List;

/** The vocabulary arrays every tokenizer reads from {@code tokenizer.ggml.*} metadata. */
final class GgufVocab {
    private GgufVocab() {
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
}
