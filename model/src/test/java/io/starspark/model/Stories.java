package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Shared test fixtures: the stories260K model and its goldens, loaded once per JVM. */
final class Stories {
    private static LlamaModel model;
    private static JsonNode golden;

    private Stories() {
    }

    static Path shared() {
        return Path.of(System.getProperty("starspark.shared", "../../shared"));
    }

    static synchronized LlamaModel model() {
        if (model == null) {
            model = LlamaModel.load(shared().resolve("models/stories260K.gguf"));
        }
        return model;
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
