package io.starspark.kv;

import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * Test fixture: the local file system under the scheme {@code starfs:}, which only the setting {@link #IMPL_KEY}
 * (in a SparkConf, {@code spark.hadoop.} + it) makes known. With {@link #UNDELETABLE} true in its configuration,
 * every delete fails the way Hadoop's local file system reports a folder it may not delete (read-only,
 * immutable): it returns false. Shared with the workers and driver tests through kv-store's test-jar; a subclass
 * serves the local file system under a scheme of its own ({@link #SchemeFs(String)}).
 */
public class SchemeFs extends RawLocalFileSystem {
    public static final String SCHEME = "starfs";
    public static final String IMPL_KEY = "fs." + SCHEME + ".impl";
    public static final String UNDELETABLE = "fs." + SCHEME + ".test.undeletable";

    private final String scheme;

    public SchemeFs() {
        this(SCHEME);
    }

    protected SchemeFs(String scheme) {
        this.scheme = scheme;
    }

    @Override
    public URI getUri() {
        return URI.create(scheme + ":///");
    }

    @Override
    public String getScheme() {
        return scheme;
    }

    @Override
    public boolean delete(Path p, boolean recursive) throws IOException {
        if (getConf().getBoolean("fs." + scheme + ".test.undeletable", false)) {
            return false;
        }
        return super.delete(p, recursive);
    }
}
