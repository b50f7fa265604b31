package io.starspark.kv;

import java.net.URI;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;

/**
 * The local file system under the scheme {@code undeletable:}, where every delete fails the way Hadoop's
 * local file system reports a folder it may not delete (read-only, immutable): it returns false.
 */
public final class UndeletableFileSystem extends RawLocalFileSystem {
    static final String SCHEME = "undeletable";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public boolean delete(Path p, boolean recursive) {
        return false;
    }
}
