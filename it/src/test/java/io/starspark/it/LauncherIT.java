package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** bin/starspark as a user runs it: built jar, exit codes, one-line errors. */
class LauncherIT {

    private static ProcessResult run(Path root, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/starspark").toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("launcher", ".out");
        Path err = Files.createTempFile("launcher", ".err");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/starspark " + String.join(" ", args) + " did not finish in 60 s");
        }
        p.waitFor();
        return new ProcessResult(p.exitValue(), Files.readString(out), Files.readString(err),
                (System.nanoTime() - start) / 1_000_000);
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
