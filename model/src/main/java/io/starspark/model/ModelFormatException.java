package io.starspark.model;

import io.starspark.errors.UserError;
import java.nio.file.Path;

/**
 * A model file that cannot be used: missing, not GGUF, truncated, inconsistent or unsupported.
 * The message is one user-facing line that names the file and the problem.
 */
public class ModelFormatException extends UserError {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(Path file, String problem) {
        super(file + ": " + problem);
    }

    /** For a model named by a URI (e.g. on HDFS) rather than a local path. */
    public ModelFormatException(String location, String problem) {
        super(location + ": " + problem);
    }

    public ModelFormatException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
