package io.starspark.kv;

import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@code file://} (Hadoop LocalFileSystem); the temp dir lies under target/tmp. */
class LocalFsKvStoreTest extends KvStoreContract {
    @TempDir
    Path dir;

    @Override
    BlobKvStore open(String doc, KvLayout layout, long cacheBytes) {
        return HadoopKvStore.open(dir.resolve(doc).toUri(), new Configuration(), layout, cacheBytes);
    }
}
