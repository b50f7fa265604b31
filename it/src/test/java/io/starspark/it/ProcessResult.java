package io.starspark.it;

/** Exit code and captured output of a finished JVM. */
public record ProcessResult(int exitCode, String stdout, String stderr, long wallMillis) {

    /** Last lines of stderr, for assertion messages. */
    public String stderrTail() {
        String[] lines = stderr.split("\\R");
        int from = Math.max(0, lines.length - 40);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
