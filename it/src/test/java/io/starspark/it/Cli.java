package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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

    /** What to take from a finished run. */
    interface Output<T> {
        T read(ProcessResult result) throws IOException;
    }

    /**
     * {@code bin/starspark ARGS} on {@code executor} (e.g. a reference run while a cluster starts); the future fails
     * unless it exits with 0, else holds {@code output.read(result)}.
     */
    static <T> CompletableFuture<T> runInBackground(Executor executor, Duration timeout, List<String> args,
                                                    Output<T> output) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ProcessResult r = run(Project.root(), timeout, args);
                assertEquals(0, r.exitCode(), "bin/starspark " + String.join(" ", args) + " failed:\n" + r.stderrTail());
                return output.read(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }, executor);
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
