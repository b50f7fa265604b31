package io.starspark.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Commands run as a user runs them, in separate processes: {@code bin/starspark}, {@code docker}. */
final class Cli {
    private Cli() {
    }

    /** Runs {@code ROOT/bin/starspark ARGS}, waits up to {@code timeout}, returns exit code and output. */
    static ProcessResult run(Path root, Duration timeout, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/starspark").toString()));
        command.addAll(args);
        return command(command, Map.of(), timeout);
    }

    /**
     * Runs {@code command} with {@code env} added to this JVM's environment, waits up to {@code timeout}
     * (then kills it and fails), returns exit code and output.
     */
    static ProcessResult command(List<String> command, Map<String, String> env, Duration timeout)
            throws IOException, InterruptedException {
        Path out = Files.createTempFile("starspark", ".out");
        Path err = Files.createTempFile("starspark", ".err");
        try {
            long start = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", command) + " did not finish in " + timeout
                        + "; stderr:\n" + Files.readString(err));
            }
            return new ProcessResult(p.exitValue(), Files.readString(out), Files.readString(err),
                    (System.nanoTime() - start) / 1_000_000);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }
}
