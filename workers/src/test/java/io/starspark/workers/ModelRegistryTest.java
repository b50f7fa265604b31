package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kv.SchemeFs;
import io.starspark.model.LlamaModel;
import io.starspark.model.ModelFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model on a Hadoop file system other than the local one is copied to a local file once and loads like the
 * local model; the file system here is {@link SchemeFs}, known only through the Spark conf's
 * {@code spark.hadoop.*} settings, as an executor's would be. (ModelRegistryHdfsTest does the same on HDFS.)
 */
class ModelRegistryTest {
    static final Path MODEL = Path.of(PrefillTaskTest.MODEL);
    static JavaSparkContext sc;

    @TempDir
    static Path remote;

    @BeforeAll
    static void start() {
        sc = new JavaSparkContext(new SparkConf(false).setMaster("local[1]").setAppName("model-registry")
                .set("spark.ui.enabled", "false").set("spark.hadoop." + SchemeFs.IMPL_KEY, SchemeFs.class.getName()));
    }

    @AfterAll
    static void stop() {
        sc.close();
    }

    private static String uri(Path file) {
        return SchemeFs.SCHEME + "://" + file.toAbsolutePath();
    }

    @Test
    void aRemoteModelIsCopiedOnceAndEqualsTheLocalOne() throws Exception {
        Path file = Files.copy(MODEL, remote.resolve("stories.gguf"));
        LlamaModel fetched = ModelRegistry.get(uri(file));
        LlamaModel local = ModelRegistry.get(MODEL.toString());
        assertEquals(local.id(), fetched.id(), "sha-256 of the copy");
        assertEquals(local.config(), fetched.config());
        Path copy = fetched.path();
        assertTrue(copy.startsWith(Path.of(System.getProperty("java.io.tmpdir"), "starspark-models")), copy.toString());
        assertTrue(copy.getFileName().toString().endsWith("-stories.gguf"), copy.toString());
        assertEquals(Files.getLastModifiedTime(file).toMillis(), Files.getLastModifiedTime(copy).toMillis(),
                "the copy carries the remote time");
        Object inode = Files.readAttributes(copy, BasicFileAttributes.class).fileKey();
        assertEquals(copy, ModelRegistry.localPath(uri(file)));
        assertEquals(inode, Files.readAttributes(copy, BasicFileAttributes.class).fileKey(), "an up-to-date copy is reused");
        try (var left = Files.list(copy.getParent())) {
            assertTrue(left.noneMatch(p -> p.getFileName().toString().endsWith(".part")), "no temporary left");
        }
    }

    @Test
    void aRemoteModelReplacedByOneOfTheSameSizeIsFetchedAgain() throws Exception {
        Path file = remote.resolve("replaced.gguf");
        byte[] bytes = Files.readAllBytes(MODEL);
        Files.write(file, bytes);
        Path first = ModelRegistry.localPath(uri(file));
        assertArrayEquals(bytes, Files.readAllBytes(first));
        bytes[bytes.length - 1] ^= 0x5a; // same size, other content, a later time
        Files.write(file, bytes);
        Files.setLastModifiedTime(file, FileTime.fromMillis(Files.getLastModifiedTime(first).toMillis() + 2000));
        assertArrayEquals(bytes, Files.readAllBytes(ModelRegistry.localPath(uri(file))), "the new bytes, not the stale copy");
        Path other = remote.resolve("longer.gguf");
        Files.write(other, bytes);
        Path copy = ModelRegistry.localPath(uri(other));
        Files.write(copy, new byte[10]); // a copy of another size (cut short): fetched again, whatever its time
        Files.setLastModifiedTime(copy, Files.getLastModifiedTime(other));
        assertArrayEquals(bytes, Files.readAllBytes(ModelRegistry.localPath(uri(other))));
    }

    @Test
    void aMissingRemoteModelIsAUserFacingError() {
        String missing = uri(remote.resolve("nope.gguf"));
        assertEquals(missing + ": model file not found",
                assertThrows(ModelFormatException.class, () -> ModelRegistry.get(missing)).getMessage());
    }
}
