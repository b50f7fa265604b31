package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.Locations;
import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * The output location of {@code starspark run}: resolved like every user path, and refused before any work
 * when it exists. Spark's writer and output committer write it ({@link RunCommand}).
 */
final class BatchOutput {
    private BatchOutput() {
    }

    /** A URI stays as given; a path without a scheme is a local path (as for --input and --context-file). */
    static Path resolve(String location) {
        try {
            if (Locations.isUri(location)) {
                return new Path(location);
            }
            return new Path(java.nio.file.Path.of(location).toAbsolutePath().normalize().toUri());
        } catch (IllegalArgumentException e) { // the location itself is malformed
            throw new UserError(location + " is not a valid path or URI: " + e.getMessage(), e);
        }
    }

    /** Refuses an output that exists, like Spark's writers. */
    static void requireAbsent(String location, Configuration hadoop) {
        Path target = resolve(location);
        try {
            if (target.getFileSystem(hadoop).exists(target)) {
                throw new UserError("output " + location + " already exists; choose a new --output or delete it");
            }
        } catch (IOException e) {
            throw new UserError("cannot check output " + location + ": " + e.getMessage(), e);
        }
    }
}
