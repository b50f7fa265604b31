package io.starspark.kv;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.junit.jupiter.api.Test;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The contract on {@code hdfs://}: one MiniDFSCluster (1 datanode) for the whole class, data under target/. */
class HdfsKvStoreTest extends KvStoreContract {
    private static MiniDFSCluster cluster;

    @BeforeAll
    static void startHdfs() throws IOException {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs").getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) {
            cluster.shutdown(true);
        }
    }

    @Override
    BlobKvStore open(String doc, KvLayout layout, String binding, long cacheBytes) {
        URI root = URI.create(cluster.getURI() + "/kv/" + doc);
        return HadoopKvStore.open(root, cluster.getConfiguration(0), layout, binding, cacheBytes);
    }

    /** Tasks open and close a store each; other code in the JVM keeps using Hadoop's cached FileSystem. */
    @Test
    void closingAStoreLeavesTheCachedFileSystemOpen() throws IOException {
        FileSystem shared = FileSystem.get(cluster.getURI(), cluster.getConfiguration(0));
        shared.mkdirs(new Path("/shared-check"));
        TestDocs d = new TestDocs(F32, PLAN, 7);
        try (BlobKvStore store = open("doc-shared-fs", F32, 0)) {
            d.writeAll(store);
        }
        assertTrue(shared.exists(new Path("/shared-check")), "cached FileSystem still usable after close()");
        assertTrue(shared.exists(new Path("/kv/doc-shared-fs/blocks/block-000000.kv")));
    }
}
