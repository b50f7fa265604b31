package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The application jar carries our code and its small deps, Spark's runtime lives in spark-home. */
class PackagingIT {

    @Test
    void appJarHasOurCodeAndNoSparkHadoopJackson() throws IOException {
        try (JarFile jar = new JarFile(Project.appJar().toFile())) {
            assertEquals("io.starspark.driver.Main", jar.getManifest().getMainAttributes().getValue("Main-Class"));
            for (String needed : List.of("io/starspark/driver/Main.class", "io/starspark/workers/KryoRegistration.class",
                    "io/starspark/kernels/Kernels.class", "picocli/CommandLine.class", "com/aparapi/Kernel.class",
                    "org/apache/bcel/Const.class", "io/starspark/workers/conf/jvm-flags")) {
                assertTrue(jar.getEntry(needed) != null, "app jar lacks " + needed);
            }
            List<String> foreign = jar.stream().map(e -> e.getName())
                    .filter(n -> n.startsWith("org/apache/spark/") || n.startsWith("org/apache/hadoop/")
                            || n.startsWith("com/fasterxml/") || n.startsWith("org/slf4j/") || n.startsWith("scala/")
                            || n.startsWith("org/apache/logging/"))
                    .limit(5).collect(Collectors.toList());
            assertEquals(List.of(), foreign, "Spark brings these at runtime; they must not be in the app jar");
        }
    }

    @Test
    void sparkHomeHasSparksRuntimeAndNoneOfOurJars() {
        List<String> jars = Arrays.stream(Project.sparkHome().resolve("jars").toFile().listFiles())
                .map(File::getName).sorted().collect(Collectors.toList());
        for (String prefix : List.of("spark-core_2.13-", "spark-sql_2.13-", "hadoop-client-api-", "hadoop-client-runtime-",
                "scala-library-", "slf4j-api-", "log4j-slf4j2-impl-", "log4j-core-", "jackson-databind-", "kryo-shaded-")) {
            assertTrue(jars.stream().anyMatch(j -> j.startsWith(prefix)), "spark-home/jars lacks " + prefix + "*: " + jars);
        }
        for (String prefix : List.of("starspark-", "aparapi", "picocli-", "bcel-", "commons-logging-")) {
            assertTrue(jars.stream().noneMatch(j -> j.startsWith(prefix)), "spark-home/jars must not hold " + prefix + "*");
        }
    }
}
