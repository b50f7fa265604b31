package io.starspark.workers.conf;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The JVM flags every JVM running Spark code needs (module opens, vector module, netty).
 * The list lives once, in {@code conf/jvm-flags}; the build copies it onto the classpath so
 * the driver can hand it to executors as {@code spark.executor.extraJavaOptions}.
 */
public final class JvmFlags {

    static final String RESOURCE = "/io/starspark/workers/conf/jvm-flags";

    private JvmFlags() {
    }

    /** The flags in file order. */
    public static List<String> list() {
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + RESOURCE + " is missing (built from conf/jvm-flags)");
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines().collect(Collectors.toList()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    /** The flags as one space-separated string, as {@code extraJavaOptions} wants them. */
    public static String joined() {
        return String.join(" ", list());
    }

    /** Parses the file format: one flag per line, blank lines and {@code #} comments ignored. */
    public static List<String> parse(List<String> lines) {
        return lines.stream()
                .map(line -> line.replaceFirst("#.*", "").trim())
                .filter(line -> !line.isEmpty())
                .collect(Collectors.toUnmodifiableList());
    }
}
