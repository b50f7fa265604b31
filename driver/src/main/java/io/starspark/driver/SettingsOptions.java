package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import picocli.CommandLine.Option;

/**
 * Where job settings come from, lowest precedence first: {@code spark.starspark.*} JVM system
 * properties (what spark-submit's --conf sets), a {@code --settings} file, {@code --conf} flags.
 */
public final class SettingsOptions {

    @Option(names = "--settings", paramLabel = "FILE", description = "properties file with spark.starspark.* keys")
    Path file;

    @Option(names = {"-c", "--conf"}, paramLabel = "KEY=VALUE", description = "a setting, e.g. -c spark.starspark.kernels=java")
    List<String> pairs = List.of();

    /** The merged raw settings (validated by {@link #settings()}). */
    public Map<String, String> raw() {
        Map<String, String> conf = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("spark.starspark."))
                .forEach(k -> conf.put(k, System.getProperty(k)));
        if (file != null) {
            Properties props = load(file);
            props.stringPropertyNames().forEach(k -> conf.put(k, props.getProperty(k)));
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--conf wants KEY=VALUE (got '" + pair + "')");
            }
            conf.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return conf;
    }

    /** The validated settings. */
    public StarSettings settings() {
        return StarSettings.from(raw());
    }

    private static Properties load(Path file) {
        Properties props = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            props.load(in);
        } catch (NoSuchFileException e) {
            throw new UserError("settings file not found: " + file, e);
        } catch (IOException e) {
            throw new UserError("cannot read settings file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) { // Properties.load: a malformed unicode escape
            throw new UserError("settings file " + file + " is not a valid properties file: " + e.getMessage(), e);
        }
        return props;
    }
}
