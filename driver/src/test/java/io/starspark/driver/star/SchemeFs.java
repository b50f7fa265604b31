package io.starspark.driver.star;

import java.net.URI;
import org.apache.hadoop.fs.RawLocalFileSystem;

/** The local file system under a scheme ({@code starfs://}) that only a {@code spark.hadoop.fs.starfs.impl} setting makes known. */
public class SchemeFs extends RawLocalFileSystem {
    static final String SCHEME = "starfs";

    @Override
    public URI getUri() {
        return URI.create(SCHEME + ":///");
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }
}
