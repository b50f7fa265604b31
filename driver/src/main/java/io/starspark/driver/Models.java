package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.model.LlamaModel;
import io.starspark.workers.Locations;
import io.starspark.workers.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loads the model named on the command line, with user-facing errors for a bad path. */
final class Models {
    private Models() {
    }

    static LlamaModel load(String path) {
        if (path == null || path.isBlank()) {
            throw new UserError("no model given: pass --model FILE.gguf or set spark.starspark.model");
        }
        if (Locations.isNonFileUri(path)) {
            return ModelRegistry.get(path); // a Hadoop FileSystem URI: fetched (and checked) by the registry
        }
        Path p = path.startsWith("file:") ? Path.of(java.net.URI.create(path)) : Path.of(path);
        if (!Files.exists(p)) {
            throw new UserError("model file not found: " + path);
        }
        if (Files.isDirectory(p)) {
            throw new UserError("model path is a directory, not a GGUF file: " + path);
        }
        return ModelRegistry.get(path);
    }
}
