package io.starspark.workers.conf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The JVM flags live once in conf/jvm-flags; the pom property and spark-defaults.conf must agree. */
class ConfFilesTest {

    private static final Path CONF = Path.of(System.getProperty("starspark.conf.dir", "../conf"));

    @Test
    void pomPropertyListsExactlyTheFlagsOfConfJvmFlags() throws IOException {
        List<String> file = JvmFlags.parse(Files.readAllLines(CONF.resolve("jvm-flags")));
        Matcher property = Pattern.compile("<starspark\\.jvm\\.flags>([^<]*)</starspark\\.jvm\\.flags>")
                .matcher(Files.readString(CONF.resolveSibling("pom.xml")));
        assertTrue(property.find(), "the root pom.xml defines <starspark.jvm.flags>");
        String pom = property.group(1);
        assertFalse(pom.isBlank(), "the root pom.xml's starspark.jvm.flags is empty");
        assertEquals(file, List.of(pom.trim().split("\\s+")),
                "root pom.xml <starspark.jvm.flags> and conf/jvm-flags differ; keep them identical");
        assertEquals(file, JvmFlags.list(), "the classpath copy of conf/jvm-flags is stale");
        assertTrue(file.contains("--add-opens=java.base/java.nio=ALL-UNNAMED"));
    }

    @Test
    void sparkDefaultsCarryEveryJvmFlagAndOurKryoSettings() throws IOException {
        Properties defaults = load(CONF.resolve("spark-defaults.conf"));
        for (String key : List.of("spark.driver.extraJavaOptions", "spark.executor.extraJavaOptions")) {
            List<String> options = List.of(defaults.getProperty(key, "").trim().split("\\s+"));
            for (String flag : JvmFlags.list()) {
                assertTrue(options.contains(flag), key + " in conf/spark-defaults.conf lacks " + flag);
            }
        }
        assertEquals(StarSparkConf.KRYO_SERIALIZER, defaults.getProperty("spark.serializer"));
        assertEquals("true", defaults.getProperty("spark.kryo.registrationRequired"));
        assertEquals("io.starspark.workers.KryoRegistration", defaults.getProperty("spark.kryo.registrator"));
    }

    @Test
    void exampleJobSettingsParseAndListEveryKey() throws IOException {
        Properties example = load(CONF.resolve("example-job.properties"));
        Map<String, String> map = new HashMap<>();
        example.stringPropertyNames().forEach(k -> map.put(k, example.getProperty(k)));
        StarSettings settings = StarSettings.from(map);
        assertEquals(AttentionMode.SPARSE, settings.attention());
        for (Setting<?> s : StarKeys.ALL) {
            assertTrue(map.containsKey(s.key()), "conf/example-job.properties lacks " + s.key());
        }
    }

    @Test
    void readmeDocumentsEveryKey() throws IOException {
        String table = StarKeys.markdownTable();
        assertTrue(table.startsWith("| key | default | meaning |\n|---|---|---|\n| `spark.starspark.kernels` |"), table);
        assertEquals(StarKeys.ALL.size() + 2, table.split("\n").length, table);
        String readme = Files.readString(CONF.resolveSibling("README.md"));
        assertTrue(readme.contains(StarKeys.markdownTable()),
                "README.md settings table differs from the registry; it should read:\n" + StarKeys.markdownTable());
    }

    @Test
    void jvmFlagsFileFormat() {
        assertEquals(List.of("-Xa", "--add-opens=x=ALL-UNNAMED", "-Xb"),
                JvmFlags.parse(List.of("# a comment", "  -Xa  # why", "", "   ", "--add-opens=x=ALL-UNNAMED", "-Xb")));
        assertEquals(String.join(" ", JvmFlags.list()), JvmFlags.joined());
        assertEquals(JvmFlags.joined(), StarSparkConf.withFlags(""));
        assertEquals("-Xss4m " + JvmFlags.joined(), StarSparkConf.withFlags(" -Xss4m "));
        String first = JvmFlags.list().get(0);
        assertEquals(JvmFlags.joined(), StarSparkConf.withFlags(first), "a flag already there is not added again");
    }

    @Test
    void aPreloadAlreadySetIsKept() {
        org.apache.spark.SparkConf conf = new org.apache.spark.SparkConf(false).set("spark.executorEnv.LD_PRELOAD", "/x.so");
        assertEquals("/x.so", StarSparkConf.configure(conf, StarSettings.defaults()).get("spark.executorEnv.LD_PRELOAD"));
        assertEquals(StarSparkConf.KRYO_SERIALIZER, conf.get("spark.serializer"));
        assertEquals("io.starspark.workers.KryoRegistration", conf.get("spark.kryo.registrator"));
        assertEquals("4096", conf.get("spark.starspark.blockSize"));
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
