package io.starspark.driver;

import io.starspark.kv.SchemeFs;
import java.io.IOException;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;

/**
 * The local file system under the scheme {@code tasks:} ({@code spark.hadoop.fs.tasks.impl}), recording for each
 * file it opens where it was opened: the job group of the Spark task that opened it, or {@link #DRIVER} when no
 * task did (on local[N] both run in this JVM, so the record is visible to the test).
 */
public class TaskSideFileSystem extends SchemeFs {
    static final String SCHEME = "tasks";
    static final String DRIVER = "(no task)";
    private static final Queue<String> OPENS = new ConcurrentLinkedQueue<>();

    public TaskSideFileSystem() {
        super(SCHEME);
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
