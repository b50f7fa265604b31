package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.Setting;
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
 * Other {@code spark.*} keys of the file and flags (e.g. {@code spark.executor.memory}) go to Spark
 * ({@link #sparkConf()}); a key outside {@code spark.*} is refused, never ignored.
 */
public final class SettingsOptions {

    @Option(names = "--settings", paramLabel = "FILE", description = "properties file with spark.starspark.* keys")
    Path file;

    @Option(names = {"-c", "--conf"}, paramLabel = "KEY=VALUE", description = "a setting, e.g. -c spark.starspark.kernels=java")
    List<String> pairs = List.of();

    /** The merged raw {@code spark.starspark.*} settings (validated by {@link #settings()}). */
    public Map<String, String> raw() {
        Map<String, String> conf = new LinkedHashMap<>();
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith(Setting.PREFIX))
                .forEach(k -> conf.put(k, System.getProperty(k)));
        given().forEach((k, v) -> {
            if (k.startsWith(Setting.PREFIX)) {
                conf.put(k, v);
            }
        });
        return conf;
    }

    /** The other {@code spark.*} keys of the settings file and {@code --conf} flags, for the SparkConf. */
    public Map<String, String> sparkConf() {
        Map<String, String> spark = new LinkedHashMap<>();
        given().forEach((k, v) -> {
            if (!k.startsWith(Setting.PREFIX)) {
                spark.put(k, v);
            }
        });
        return spark;
    }

    /** The validated settings. */
    public StarSettings settings() {
        return StarSettings.from(raw());
    }

    /**
     * The settings file's entries, each {@code spark.starspark.*} one checked alone so that an error names the
     * file, then the {@code --conf} pairs; every key must start with {@code spark.}.
     */
    private Map<String, String> given() {
        Map<String, String> conf = new LinkedHashMap<>();
        if (file != null) {
            Properties props = load(file);
            for (String key : props.stringPropertyNames()) {
                String value = props.getProperty(key);
                try {
                    requireSparkKey(key);
                    if (key.startsWith(Setting.PREFIX)) {
                        StarSettings.requireValid(key, value);
                    }
                } catch (UserError e) {
                    throw new UserError("settings file " + file + ": " + e.getMessage(), e);
                }
                conf.put(key, value);
            }
        }
        for (String pair : pairs) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new UserError("--conf wants KEY=VALUE (got '" + pair + "')");
            }
            String key = pair.substring(0, eq).trim();
            requireSparkKey(key);
            conf.put(key, pair.substring(eq + 1).trim());
        }
        return conf;
    }

    private static void requireSparkKey(String key) {
        if (!key.startsWith("spark.")) {
            throw new UserError("setting " + key + " is neither a starspark key (" + Setting.PREFIX + "*) nor a Spark"
                    + " key (spark.*)");
        }
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
