package io.starspark.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract on {@code file://} (Hadoop LocalFileSystem); the temp dir lies under target/tmp. */
class LocalFsKvStoreTest extends KvStoreContract {
    @TempDir
    Path dir;

    @Override
    BlobKvStore open(String doc, KvLayout layout, String binding, long cacheBytes) {
        return HadoopKvStore.open(dir.resolve(doc).toUri(), new Configuration(), layout, binding, cacheBytes);
    }

    /** A folder the file system refuses to delete (--reprefill on read-only K/V) fails, never silently stays. */
    @Test
    void aFolderThatCannotBeDeletedIsAnError() {
        Configuration conf = new Configuration();
        conf.set(SchemeFs.IMPL_KEY, SchemeFs.class.getName());
        conf.setBoolean(SchemeFs.UNDELETABLE, true);
        URI root = URI.create(SchemeFs.SCHEME + "://" + dir.resolve("doc-ro").toUri().getPath());
        String binding = TestDocs.manifest(F32, PLAN).binding();
        try (KvStore store = HadoopKvStore.open(root, conf, F32, binding, 0)) {
            new TestDocs(F32, PLAN, 7).writeAll(store);
            KvStoreException e = assertThrows(KvStoreException.class, store::delete);
            assertTrue(e.getMessage().startsWith("cannot delete starfs:" + dir.resolve("doc-ro")), e.getMessage());
            assertEquals(3, store.committedBlocks().size(), "the blocks are still there");
        }
    }
}
