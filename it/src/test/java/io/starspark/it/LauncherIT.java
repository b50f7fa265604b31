package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** bin/starspark as a user runs it: built jar, exit codes, one-line errors. */
class LauncherIT {

    private static ProcessResult run(Path root, String... args) throws IOException, InterruptedException {
        return Cli.run(root, Duration.ofSeconds(60), List.of(args));
    }

    @Test
    void infoPrintsJson() throws Exception {
        ProcessResult r = run(Project.root(), "info", "--json", "-c", "spark.starspark.kernels=java");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertEquals("java", json.get("kernels").asText());
        assertEquals("4.2.0", json.get("spark").asText());
    }

    @Test
    void userErrorIsOneLineAndExitCode2() throws Exception {
        ProcessResult r = run(Project.root(), "info", "-c", "spark.starspark.kernels=cuda");
        assertEquals(2, r.exitCode(), r.stderr());
        assertEquals("starspark: error: spark.starspark.kernels must be one of auto|java|aparapi|reference (got 'cuda')",
                r.stderr().strip(), "stderr must be exactly one line");
        assertEquals("", r.stdout());
    }

    @Test
    void unbuiltCheckoutSaysHowToBuild(@org.junit.jupiter.api.io.TempDir Path fake) throws Exception {
        Files.createDirectories(fake.resolve("bin"));
        Files.createDirectories(fake.resolve("conf"));
        Files.copy(Project.root().resolve("bin/starspark"), fake.resolve("bin/starspark"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Project.root().resolve("conf/jvm-flags"), fake.resolve("conf/jvm-flags"));
        ProcessResult r = run(fake, "info");
        assertEquals(2, r.exitCode(), r.stderr());
        assertTrue(r.stderr().startsWith("starspark: error: ") && r.stderr().contains("run: mvn -B -DskipTests package"),
                r.stderr());
    }
}
