package io.starspark.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A synthetic document of about N tokens: N - 1 filler words of needle-retriever's vocabulary
 * (each " word" is one SentencePiece token of the shared 512-token tokenizer), so BOS + text is N tokens.
 */
final class ScaleDocument {
    private ScaleDocument() {
    }

    /** The filler words of {@code vocabJson} (the "filler" list, '▁' removed). */
    static List<String> fillerWords(Path vocabJson) throws IOException {
        JsonNode filler = new ObjectMapper().readTree(vocabJson.toFile()).get("filler");
        List<String> words = new ArrayList<>();
        filler.forEach(w -> words.add(w.asText().replace("\u2581", "")));
        if (words.isEmpty()) {
            throw new IllegalArgumentException(vocabJson + " has no \"filler\" words");
        }
        return words;
    }

    /** Writes {@code tokens - 1} seeded random filler words separated by spaces to {@code file}. */
    static Path write(Path file, int tokens, List<String> words, long seed) throws IOException {
        if (tokens < 2) {
            throw new IllegalArgumentException("tokens must be at least 2 (got " + tokens + ")");
        }
        Random r = new Random(seed);
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            for (int i = 0; i < tokens - 1; i++) {
                if (i > 0) {
                    out.write(' ');
                }
                out.write(words.get(r.nextInt(words.size())));
            }
        }
        return file;
    }
}
