package io.starspark.driver;

import java.io.IOException;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.spark.TaskContext;

/**
 * The local file system under the scheme {@code tasks:} ({@code spark.hadoop.fs.tasks.impl}), recording for each
 * file it opens where it was opened: the job group of the Spark task that opened it, or {@link #DRIVER} when no
 * task did (on local[N] both run in this JVM, so the record is visible to the test).
 */
public class TaskSideFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "tasks";
    static final String DRIVER = "(no task)";
    private static final Queue<String> OPENS = new ConcurrentLinkedQueue<>();

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FSDataInputStream open(Path f, int bufferSize) throws IOException {
        TaskContext task = TaskContext.get();
        OPENS.add(f.toUri().getPath() + " <- "
                + (task == null ? DRIVER : "task of " + task.getLocalProperty("spark.jobGroup.id")));
        return super.open(f, bufferSize);
    }

    /** "PATH <- task of GROUP" (or "PATH <- (no task)") for each file opened, in order; clears the record. */
    static List<String> drain() {
        List<String> out = List.copyOf(OPENS);
        OPENS.clear();
        return out;
    }

    /** {@code tasks:///...} for a local file. */
    static String uri(java.nio.file.Path file) {
        return SCHEME + "://" + file.toAbsolutePath().toUri().getPath();
    }
}
