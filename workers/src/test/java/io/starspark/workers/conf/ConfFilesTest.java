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
import org.junit.jupiter.api.Test;

/** The JVM flags live once in conf/jvm-flags; the pom property and spark-defaults.conf must agree. */
class ConfFilesTest {

    private static final Path CONF = Path.of(System.getProperty("starspark.conf.dir", "../conf"));

    @Test
    void pomPropertyListsExactlyTheFlagsOfConfJvmFlags() throws IOException {
        List<String> file = JvmFlags.parse(Files.readAllLines(CONF.resolve("jvm-flags")));
        String pom = System.getProperty("starspark.jvm.flags");
        assertFalse(pom == null || pom.isBlank(), "surefire must pass the root pom's starspark.jvm.flags");
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
        String readme = Files.readString(CONF.resolveSibling("README.md"));
        assertTrue(readme.contains(StarKeys.markdownTable()),
                "README.md settings table differs from the registry; it should read:\n" + StarKeys.markdownTable());
    }

    private static Properties load(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        return p;
    }
}
