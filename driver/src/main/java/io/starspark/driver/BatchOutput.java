package io.starspark.driver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.errors.UserError;
import io.starspark.workers.Locations;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The output folder of {@code starspark run}, written atomically: rows go to
 * {@code <output>._tmp-<uuid>/part-00000.jsonl} on the output's FileSystem, then {@code _SUCCESS},
 * then the folder is renamed to {@code <output>}. A failed run deletes the temporary folder.
 */
final class BatchOutput {
    static final String PART = "part-00000.jsonl";
    static final String SUCCESS = "_SUCCESS";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String location;
    private final FileSystem fs;
    private final Path target;
    private final Path tmp;
    private final OutputStream part;
    private long rows;

    private BatchOutput(String location, FileSystem fs, Path target, Path tmp, OutputStream part) {
        this.location = location;
        this.fs = fs;
        this.target = target;
        this.tmp = tmp;
        this.part = part;
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

    /** Creates the temporary folder beside the output and opens its part file. */
    static BatchOutput begin(String location, Configuration hadoop) {
        requireAbsent(location, hadoop);
        Path target = resolve(location);
        Path tmp = new Path(target.getParent(), target.getName() + "._tmp-" + UUID.randomUUID());
        try {
            FileSystem fs = target.getFileSystem(hadoop);
            if (!fs.mkdirs(tmp)) {
                throw new UserError("cannot create " + tmp);
            }
            return new BatchOutput(location, fs, target, tmp, fs.create(new Path(tmp, PART), false));
        } catch (IOException e) {
            throw new UserError("cannot write output beside " + location + ": " + e.getMessage(), e);
        }
    }

    Path temporaryFolder() {
        return tmp;
    }

    /** Appends one row as a JSON line. */
    void write(Map<String, ?> row) {
        try {
            part.write(JSON.writeValueAsBytes(row));
            part.write('\n');
            rows++;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for row " + row.keySet(), e);
        } catch (IOException e) {
            throw new UserError("cannot write to " + tmp + ": " + e.getMessage(), e);
        }
    }

    long rows() {
        return rows;
    }

    /** Closes the part file, writes {@code _SUCCESS} and renames the folder to the output. */
    void commit() {
        try {
            part.close();
            fs.create(new Path(tmp, SUCCESS), false).close();
            if (fs.exists(target)) {
                throw new UserError("output " + location + " appeared while this job ran; nothing written");
            }
            if (!fs.rename(tmp, target)) {
                throw new UserError("cannot rename " + tmp + " to " + location);
            }
        } catch (IOException e) {
            throw new UserError("cannot commit output " + location + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the temporary folder after a failure; problems doing so are attached to {@code cause}. */
    void abort(Throwable cause) {
        try {
            part.close();
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
        try {
            fs.delete(tmp, true);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }
}
