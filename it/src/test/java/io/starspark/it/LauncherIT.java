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

    /**
     * {@code generate --chat} through bin/starspark, i.e. Jinjava on the application jar's classpath with the guava
     * Spark ships (32.0.0; Jinjava is built against 33.x): a Llama 3 style Q4_K_M file renders its own chat
     * template to exactly Hugging Face's ids for the question (17, the model module's chat golden).
     */
    @Test
    void chatOnALlama3Q4KmFile(@org.junit.jupiter.api.io.TempDir Path tmp) throws Exception {
        Path model = tmp.resolve("llama3-tiny-q4_k_m.gguf");
        Path tokenizer = Path.of(System.getProperty("starspark.oracle"), "node_modules", "@lenml", "tokenizer-llama3", "models");
        ProcessResult made = run(Project.root(), "make-model", "--shape", "llama3-tiny", "--dtype", "q4_k_m", "--seed", "1",
                "--out", model.toString(), "--tokenizer-dir", tokenizer.toString());
        assertEquals(0, made.exitCode(), made.stderr());
        ProcessResult r = run(Project.root(), "generate", "--model", model.toString(), "--chat",
                "--prompt", "What is the capital of France?", "--max-new-tokens", "2", "--json",
                "-c", "spark.starspark.kernels=java");
        assertEquals(0, r.exitCode(), r.stderr());
        JsonNode json = new ObjectMapper().readTree(r.stdout());
        assertEquals(17, json.get("prompt_tokens").asInt(), r.stdout());
        assertEquals(2, json.get("ids").size(), r.stdout());
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
