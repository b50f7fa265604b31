package io.starspark.kv;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Test fixture: the local file system under the scheme {@code starfs:}, which only the setting {@link #IMPL_KEY}
 * (in a SparkConf, {@code spark.hadoop.} + it) makes known. With {@link #UNDELETABLE} true in its configuration,
 * every delete fails the way Hadoop's local file system reports a folder it may not delete (read-only,
 * immutable): it returns false. Shared with the workers and driver tests through kv-store's test-jar.
 */
public class SchemeFs extends RawLocalFileSystem {
    public static final String SCHEME = "starfs";
    public static final String IMPL_KEY = "fs." + SCHEME + ".impl";
    public static final String UNDELETABLE = "fs." + SCHEME + ".test.undeletable";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        if (getConf().getBoolean(UNDELETABLE, false)) {
            return false;
        }
        return super.delete(p, recursive);
    }
}
