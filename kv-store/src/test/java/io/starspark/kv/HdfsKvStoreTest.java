package io.starspark.kv;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
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
    BlobKvStore open(String doc, KvLayout layout, long cacheBytes) {
        URI root = URI.create(cluster.getURI() + "/kv/" + doc);
        return HadoopKvStore.open(root, cluster.getConfiguration(0), layout, cacheBytes);
    }
}
