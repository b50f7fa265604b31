package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
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
        conf.put(key("maxKvBytes"), "3g");
        StarSettings s = StarSettings.from(conf);
        assertEquals(new StarSettings(KernelsChoice.APARAPI, 512, 100, 32, URI.create("hdfs://nn:8020/kv/run1"),
                KvDtype.F16, AttentionMode.SPARSE, 8, 0, 3, "/models/m.gguf", 3L << 30), s);
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
                        URI.create("file:/kv"), KvDtype.F32, AttentionMode.STAR, 1, 0, 0, "", 1L << 30)).getMessage());
        assertEquals("spark.starspark.kvDir must be an absolute URI with a path (got kv)", assertThrows(
                UserError.class, () -> new StarSettings(KernelsChoice.JAVA, 64, 64, 16,
                        URI.create("kv"), KvDtype.F32, AttentionMode.STAR, 1, 0, 0, "", 1L << 30)).getMessage());
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
    void oneEntryIsCheckedAloneWithoutTheRulesBetweenKeys() {
        StarSettings.requireValid(key("blockSize"), "100"); // not a multiple of the default pageSize: a cross-key rule
        StarSettings.requireValid(key("model"), "m.gguf");
        assertEquals("spark.starspark.blockSize must be a positive integer (got '0')", assertThrows(UserError.class,
                () -> StarSettings.requireValid(key("blockSize"), "0")).getMessage());
        assertEquals("unknown setting spark.starspark.pagesize; did you mean spark.starspark.pageSize?",
                assertThrows(UserError.class, () -> StarSettings.requireValid(key("pagesize"), "16")).getMessage());
    }

    @Test
    void aKvDirThatIsNoUriSaysWhy() {
        assertEquals("spark.starspark.kvDir is not a valid URI: Illegal character in path (got 'hdfs://nn/a b')",
                rejected(Map.of(key("kvDir"), "hdfs://nn/a b")).getMessage());
        assertEquals(URI.create("s3a://bucket/kv"), StarSettings.from(Map.of(key("kvDir"), "s3a://bucket/kv")).kvDir());
        assertEquals("spark.starspark.maxKvBytes must be positive (got -1)", assertThrows(UserError.class,
                () -> StarKeys.MAX_KV_BYTES.check(-1L)).getMessage());
        assertEquals(Long.valueOf(1), StarKeys.MAX_KV_BYTES.check(1L));
    }

    @Test
    void aSettingDescribesItselfForTheDocs() {
        assertEquals("spark.starspark.anchorSize (default blockSize): leading context tokens prepended to every block"
                + " after the first; 1..blockSize", StarKeys.ANCHOR_SIZE.toString());
        assertEquals("| `spark.starspark.kvDtype` | `f32` | element type of K/V, stored pages and the decode cache (f16: as llama.cpp, half the bytes): f32\\|f16 |",
                StarKeys.KV_DTYPE.markdownRow());
        assertTrue(StarKeys.BLOCK_SIZE.markdownRow().startsWith("| `spark.starspark.blockSize` | `4096` | context"));
        assertEquals(StarKeys.PAGE_SIZE, StarKeys.find("spark.starspark.pageSize"));
        assertEquals(null, StarKeys.find("spark.starspark.pagesize"));
        assertEquals("f16", StarKeys.KV_DTYPE.write(StarSettings.from(Map.of(key("kvDtype"), "F16"))));
        assertEquals("full", StarSettings.from(Map.of(key("attention"), " FULL ")).toConf().get(key("attention")));
    }

    @Test
    void aGivenModelIsReturned() {
        assertEquals("/m/x.gguf", StarSettings.from(Map.of(key("model"), "/m/x.gguf")).requireModel());
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

    @Test
    void maxKvBytesTakesSparkSizesAndDefaultsTo64GiB() {
        assertEquals(64L << 30, StarSettings.defaults().maxKvBytes());
        assertEquals(512L << 20, StarSettings.from(Map.of(key("maxKvBytes"), "512m")).maxKvBytes());
        assertEquals("spark.starspark.maxKvBytes must be a size in bytes such as 512m or 64g (got 'lots')",
                assertThrows(UserError.class, () -> StarSettings.from(Map.of(key("maxKvBytes"), "lots"))).getMessage());
        assertEquals("spark.starspark.maxKvBytes must be positive (got '0')",
                assertThrows(UserError.class, () -> StarSettings.from(Map.of(key("maxKvBytes"), "0"))).getMessage());
    }
}
