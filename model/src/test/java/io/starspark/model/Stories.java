package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Shared test fixtures: the stories260K model and its goldens. The model is loaded afresh for every caller
 * (about a megabyte): a copy kept for the whole JVM would hide the loading code from mutation testing, which
 * runs many mutants in one JVM. The goldens are data, read once.
 */
final class Stories {
    private static JsonNode golden;

    private Stories() {
    }

    static Path shared() {
        return Path.of(System.getProperty("starspark.shared", "../../shared"));
    }

    static LlamaModel model() {
        return LlamaModel.load(shared().resolve("models/stories260K.gguf"));
    }

    static synchronized JsonNode golden() {
        if (golden == null) {
            try {
                golden = new ObjectMapper().readTree(shared().resolve("golden/stories260K.json").toFile());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return golden;
    }

    static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    static int[] range(int from, int to) {
        int[] out = new int[to - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = from + i;
        }
        return out;
    }
}
