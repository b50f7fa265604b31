package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.model.LlamaModel;
import io.starspark.model.ModelFormatException;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A model given as an hdfs:// URI is fetched once to a local file and loads like the local one. */
class ModelRegistryHdfsTest {
    static final Path MODEL = Path.of(System.getProperty("starspark.shared", "../../shared"), "models/stories260K.gguf");
    static MiniDFSCluster cluster;
    static String root;

    @BeforeAll
    static void start() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, new File("target/minidfs").getAbsolutePath());
        cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        cluster.waitActive();
        root = "hdfs://127.0.0.1:" + cluster.getNameNodePort();
        FileSystem fs = cluster.getFileSystem();
        fs.copyFromLocalFile(new org.apache.hadoop.fs.Path(MODEL.toUri()), new org.apache.hadoop.fs.Path("/models/stories260K.gguf"));
    }

    @AfterAll
    static void stop() {
        cluster.shutdown();
    }

    @Test
    void hdfsModelEqualsLocalModel() {
        LlamaModel remote = ModelRegistry.get(root + "/models/stories260K.gguf");
        LlamaModel local = ModelRegistry.get(MODEL.toString());
        assertEquals(local.id(), remote.id(), "sha-256 of the fetched copy");
        assertEquals(local.config(), remote.config());
        assertArrayEquals(local.tokenizer().encode("Once upon a time", true, true),
                remote.tokenizer().encode("Once upon a time", true, true));
        assertTrue(remote.path().startsWith(Path.of(System.getProperty("java.io.tmpdir"))), remote.path().toString());
    }

    @Test
    void missingHdfsModelIsAUserFacingError() {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelRegistry.get(root + "/models/nope.gguf"));
        assertEquals(root + "/models/nope.gguf: model file not found", e.getMessage());
    }

    /** A model replaced at the same URI by one of the same size (new weights, same shapes) is fetched again. */
    @Test
    void replacedRemoteModelOfTheSameSizeIsFetchedAgain() throws Exception {
        FileSystem fs = cluster.getFileSystem();
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path("/models/replaced.gguf");
        byte[] bytes = Files.readAllBytes(MODEL);
        try (var out = fs.create(remote, true)) {
            out.write(bytes);
        }
        String location = root + "/models/replaced.gguf";
        Path first = ModelRegistry.localPath(location);
        assertArrayEquals(bytes, Files.readAllBytes(first));
        bytes[bytes.length - 1] ^= 0x5a; // same size, other content
        Thread.sleep(5); // a later modification time
        try (var out = fs.create(remote, true)) {
            out.write(bytes);
        }
        assertArrayEquals(bytes, Files.readAllBytes(ModelRegistry.localPath(location)), "the new bytes, not the stale copy");
    }
}
