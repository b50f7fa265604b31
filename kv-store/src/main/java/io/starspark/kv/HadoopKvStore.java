package io.starspark.kv;

import java.net.URI;
import org.apache.hadoop.conf.Configuration;

/**
 * A {@link KvStore} on any Hadoop file system: {@code file://}, {@code hdfs://}, {@code s3a://}.
 * Owns its own {@code FileSystem} instance; close the store when done.
 */
public final class HadoopKvStore extends BlobKvStore {

    private HadoopKvStore(URI root, Configuration conf, KvLayout layout, String binding, long cacheBytes) {
        super(root.toString(), new HadoopBlobs(root, conf), layout, binding, cacheBytes);
    }

    /**
     * Opens (does not create or read) the store of the document at {@code root}, e.g. {@code hdfs://nn:8020/kv/doc-1}.
     *
     * @param binding {@link Manifest#binding()} of the document's manifest: written into every block, checked on read
     */
    public static HadoopKvStore open(URI root, Configuration conf, KvLayout layout, String binding, long cacheBytes) {
        if (root.getScheme() == null) {
            throw new IllegalArgumentException("K/V location needs a scheme such as file:// or hdfs:// (got " + root + ")");
        }
        return new HadoopKvStore(root, conf, layout, binding, cacheBytes);
    }

    /**
     * Opens a document's committed K/V bound to its own manifest, for readers that do not rebuild the manifest
     * from the document (eval); a folder without a manifest is an error naming it.
     */
    public static HadoopKvStore openCommitted(URI root, Configuration conf, KvLayout layout, long cacheBytes) {
        Manifest manifest;
        try (HadoopKvStore manifestOnly = open(root, conf, layout, "0".repeat(64), 0)) { // reads no block
            manifest = manifestOnly.readManifest().orElseThrow(() -> new KvStoreException("no committed K/V at "
                    + root + " (no manifest.json)"));
        }
        return open(root, conf, layout, manifest.binding(), cacheBytes);
    }
}
