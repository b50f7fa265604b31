package io.starspark.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/starspark} run as a user runs it, in a separate JVM. */
final class Cli {
    private Cli() {
    }

    /** Runs {@code ROOT/bin/starspark ARGS}, waits up to {@code timeout}, returns exit code and output. */
    static ProcessResult run(Path root, Duration timeout, List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("bash", root.resolve("bin/starspark").toString()));
        command.addAll(args);
        Path out = Files.createTempFile("starspark", ".out");
        Path err = Files.createTempFile("starspark", ".err");
        try {
            long start = System.nanoTime();
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError("bin/starspark " + String.join(" ", args) + " did not finish in " + timeout
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
