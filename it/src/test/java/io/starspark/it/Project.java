package io.starspark.it;

import io.starspark.workers.conf.JvmFlags;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Paths of the built project, passed by failsafe (see it/pom.xml). */
final class Project {

    private Project() {
    }

    static Path root() {
        return path("starspark.root");
    }

    /** driver/target/starspark-&lt;version&gt;.jar */
    static Path appJar() {
        return path("starspark.appJar");
    }

    /** driver/target/spark-home (jars/ inside). */
    static Path sparkHome() {
        return path("starspark.sparkHome");
    }

    /** ../shared (models, goldens), from the system property starspark.shared. */
    static Path shared() {
        return path("starspark.shared");
    }

    /** it/target/it: work dirs and logs of every JVM the ITs start. */
    static Path itDir() {
        return path("starspark.it.dir");
    }

    /** An empty it/target/it/NAME (the previous run's files removed, so disk use stays bounded). */
    static Path freshDir(String name) throws IOException {
        Path dir = itDir().resolve(name);
        if (Files.exists(dir)) {
            try (var paths = Files.walk(dir)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    /** The flags from conf/jvm-flags, the one list. */
    static List<String> jvmFlags() {
        try {
            return JvmFlags.parse(Files.readAllLines(root().resolve("conf/jvm-flags")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    private static Path path(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            throw new IllegalStateException("system property " + property + " is not set; run the ITs through Maven (mvn verify)");
        }
        return Path.of(value).toAbsolutePath().normalize();
    }
}
