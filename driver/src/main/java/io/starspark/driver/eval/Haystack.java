package io.starspark.driver.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A needle-in-a-haystack document for needle-retriever.gguf: seeded filler words with one "KEY VALUE" pair
 * at {@code depth} (0..1) of the text; asked {@link #question()} (" KEY"), the model answers " VALUE".
 * The one haystack generator: eval's needle suite, the sparse tests and the it module use it.
 */
public record Haystack(String text, String key, String value, long seed) {

    /** {@code words} words from the "filler", "keys" and "values" lists of {@code vocabJson}. */
    public static Haystack make(Path vocabJson, long seed, int words, double depth) throws IOException {
        JsonNode vocab = new ObjectMapper().readTree(Files.readAllBytes(vocabJson));
        Random r = new Random(seed);
        List<String> out = new ArrayList<>(words);
        for (int i = 0; i < words; i++) {
            out.add(word(vocab.get("filler"), r));
        }
        String key = word(vocab.get("keys"), r);
        String value = word(vocab.get("values"), r);
        int at = (int) Math.min(words - 2, Math.max(1, depth * words));
        out.set(at, key);
        out.set(at + 1, value);
        return new Haystack(String.join(" ", out), key, value, seed);
    }

    /** The question whose answer is the value. */
    public String question() {
        return " " + key;
    }

    private static String word(JsonNode list, Random r) {
        return list.get(r.nextInt(list.size())).asText().replace("\u2581", "");
    }
}
