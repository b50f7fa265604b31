package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kv.KvDtype;
import io.starspark.workers.SparseSettings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

class StarSettingsTest {

    private static String key(String name) {
        return Setting.PREFIX + name;
    }

    private static UserError rejected(Map<String, String> conf) {
        return assertThrows(UserError.class, () -> StarSettings.from(conf));
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        StarSettings s = StarSettings.defaults();
        assertEquals(KernelsChoice.AUTO, s.kernels());
        assertEquals(4096, s.blockSize());
        assertEquals(4096, s.anchorSize());
        assertEquals(64, s.pageSize());
        assertEquals(KvDtype.F32, s.kvDtype());
        assertEquals(AttentionMode.STAR, s.attention());
        assertEquals(32, s.sparseTopK());
        assertEquals(1, s.sparseSinkPages());
        assertEquals(1, s.sparseLocalPages());
        assertEquals("", s.model());
        assertEquals("file", s.kvDir().getScheme());
        assertTrue(s.kvDir().getPath().replaceAll("/$", "").endsWith("/target/kv"), s.kvDir().toString());
    }

    @Test
    void anchorSizeDefaultsToBlockSize() {
        StarSettings s = StarSettings.from(Map.of(key("blockSize"), "256", key("pageSize"), "16"));
        assertEquals(256, s.anchorSize());
        assertEquals(128, StarSettings.from(Map.of(key("blockSize"), "256", key("anchorSize"), "128")).anchorSize());
    }

    @Test
    void parsesEveryKeyAndRoundTripsThroughToConf() {
        Map<String, String> conf = new HashMap<>();
        conf.put(key("kernels"), "Aparapi");
        conf.put(key("blockSize"), " 512 ");
        conf.put(key("anchorSize"), "100");
        conf.put(key("pageSize"), "32");
        conf.put(key("kvDir"), "hdfs://nn:8020/kv/run1");
        conf.put(key("kvDtype"), "f16");
        conf.put(key("attention"), "sparse");
        conf.put(key("sparse.topK"), "8");
        conf.put(key("sparse.sinkPages"), "0");
        conf.put(key("sparse.localPages"), "3");
        conf.put(key("model"), "/models/m.gguf");
        StarSettings s = StarSettings.from(conf);
        assertEquals(new StarSettings(KernelsChoice.APARAPI, 512, 100, 32, URI.create("hdfs://nn:8020/kv/run1"),
                KvDtype.F16, AttentionMode.SPARSE, 8, 0, 3, "/models/m.gguf"), s);
        assertEquals(s, StarSettings.from(s.toConf()));
        assertEquals("aparapi", s.toConf().get(key("kernels")));
    }

    @Test
    void plainKvDirPathBecomesAbsoluteFileUri() {
        StarSettings s = StarSettings.from(Map.of(key("kvDir"), "some/dir"));
        assertEquals(Path.of("some/dir").toAbsolutePath().toUri(), s.kvDir());
    }

    @Test
    void readsFromSparkConfLikeFromAMap() {
        SparkConf conf = new SparkConf(false).set(key("kernels"), "java").set(key("pageSize"), "16")
                .set("spark.app.name", "x");
        StarSettings s = StarSettings.from(conf);
        assertEquals(KernelsChoice.JAVA, s.kernels());
        assertEquals(16, s.pageSize());
        assertEquals(s, StarSettings.from(StarSparkConf.configure(new SparkConf(false), s)));
    }

    @Test
    void badValuesNameTheKeyAndTheValue() {
        assertEquals("spark.starspark.blockSize must be a positive integer (got 'abc')",
                rejected(Map.of(key("blockSize"), "abc")).getMessage());
        assertEquals("spark.starspark.pageSize must be a positive integer (got '0')",
                rejected(Map.of(key("pageSize"), "0")).getMessage());
        assertEquals("spark.starspark.kernels must be one of auto|java|aparapi|reference (got 'cuda')",
                rejected(Map.of(key("kernels"), "cuda")).getMessage());
        assertEquals("spark.starspark.sparse.sinkPages must be an integer >= 0 (got '-1')",
                rejected(Map.of(key("sparse.sinkPages"), "-1")).getMessage());
        assertTrue(rejected(Map.of(key("kvDir"), "hdfs://nn:8020")).getMessage()
                .startsWith("spark.starspark.kvDir must be a URI with a path"));
    }

    @Test
    void theRecordAndTheSparseBudgetRunEachKeysOwnCheck() {
        assertEquals("spark.starspark.pageSize must be a positive integer (got 0)", assertThrows(
                UserError.class, () -> new StarSettings(KernelsChoice.JAVA, 64, 64, 0,
                        URI.create("file:/kv"), KvDtype.F32, AttentionMode.STAR, 1, 0, 0, "")).getMessage());
        assertEquals("spark.starspark.kvDir must be an absolute URI with a path (got kv)", assertThrows(
                UserError.class, () -> new StarSettings(KernelsChoice.JAVA, 64, 64, 16,
                        URI.create("kv"), KvDtype.F32, AttentionMode.STAR, 1, 0, 0, "")).getMessage());
        assertEquals("spark.starspark.sparse.topK must be a positive integer (got 0)", assertThrows(
                UserError.class, () -> new SparseSettings(0, 1, 1)).getMessage());
        assertEquals("spark.starspark.sparse.localPages must be an integer >= 0 (got -1)", assertThrows(
                UserError.class, () -> new SparseSettings(1, 0, -1)).getMessage());
        StarSettings s = StarSettings.from(Map.of(key("sparse.topK"), "5", key("sparse.sinkPages"), "0"));
        assertEquals(new SparseSettings(5, 0, 1), s.sparse());
    }

    @Test
    void crossFieldRulesGiveActionableMessages() {
        assertEquals("spark.starspark.blockSize must be a positive multiple of spark.starspark.pageSize"
                + " (got 100, pageSize 64)", rejected(Map.of(key("blockSize"), "100")).getMessage());
        assertEquals("spark.starspark.anchorSize must be between 1 and blockSize (got 8192, blockSize 4096)",
                rejected(Map.of(key("anchorSize"), "8192")).getMessage());
    }

    @Test
    void unknownKeysAreTyposNotIgnored() {
        assertEquals("unknown setting spark.starspark.blocksize; did you mean spark.starspark.blockSize?",
                rejected(Map.of(key("blocksize"), "64")).getMessage());
        assertTrue(rejected(Map.of(key("nope"), "1")).getMessage().contains("known keys: spark.starspark.kernels"));
        assertEquals(StarSettings.defaults(), StarSettings.from(Map.of("spark.other", "1")));
    }

    @Test
    void missingModelIsAUserError() {
        assertEquals("no model given: set spark.starspark.model or pass --model FILE.gguf",
                assertThrows(UserError.class, () -> StarSettings.defaults().requireModel()).getMessage());
    }

    @Test
    void everyKeyIsDocumented() {
        for (Setting<?> s : StarKeys.ALL) {
            assertTrue(s.key().startsWith("spark.starspark."), s.key());
            assertTrue(!s.doc().isBlank() && !s.defaultDoc().isBlank(), s.key());
        }
        assertEquals(StarKeys.ALL.size(), StarSettings.defaults().toConf().size());
    }
}
