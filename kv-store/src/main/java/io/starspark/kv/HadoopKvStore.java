package io.starspark.kv;

import java.net.URI;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@link KvStore} on any Hadoop file system: {@code file://}, {@code hdfs://}, {@code s3a://}.
 * Owns its own {@code FileSystem} instance; close the store when done.
 */
public final class HadoopKvStore extends BlobKvStore {

    private HadoopKvStore(URI root, Configuration conf, KvLayout layout, long cacheBytes) {
        super(root.toString(), new HadoopBlobs(root, conf), layout, cacheBytes);
    }

    /** Opens (does not create or read) the store of the document at {@code root}, e.g. {@code hdfs://nn:8020/kv/doc-1}. */
    public static HadoopKvStore open(URI root, Configuration conf, KvLayout layout, long cacheBytes) {
        if (root.getScheme() == null) {
            throw new IllegalArgumentException("K/V location needs a scheme such as file:// or hdfs:// (got " + root + ")");
        }
        return new HadoopKvStore(root, conf, layout, cacheBytes);
    }

    public static HadoopKvStore open(URI root, KvLayout layout) {
        return open(root, new Configuration(), layout, DEFAULT_CACHE_BYTES);
    }
}
