package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * One {@code spark.starspark.*} key: its type (the parser), default and one line of doc.
 * Read the same way from a SparkConf's entries or any map, on driver and executors alike.
 * Every problem is reported as a {@link UserError} naming the key and the value.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {

    public static final String PREFIX = "spark.starspark.";

    private final String key;
    private final String doc;
    private final String defaultDoc;
    private final Function<String, T> parser;
    private final Function<Map<String, String>, T> defaultValue;

    private Setting(String name, String doc, String defaultDoc, Function<String, T> parser,
                    Function<Map<String, String>, T> defaultValue) {
        this.key = PREFIX + name;
        this.doc = doc;
        this.defaultDoc = defaultDoc;
        this.parser = parser;
        this.defaultValue = defaultValue;
    }

    /** A setting whose default may depend on other settings (e.g. anchorSize = blockSize). */
    static <T> Setting<T> of(String name, String doc, String defaultDoc, Function<String, T> parser,
                             Function<Map<String, String>, T> defaultValue) {
        return new Setting<>(name, doc, defaultDoc, parser, defaultValue);
    }

    static Setting<Integer> positiveInt(String name, int defaultValue, String doc) {
        return of(name, doc, Integer.toString(defaultValue), raw -> parseInt(raw, 1), conf -> defaultValue);
    }

    static Setting<Integer> nonNegativeInt(String name, int defaultValue, String doc) {
        return of(name, doc, Integer.toString(defaultValue), raw -> parseInt(raw, 0), conf -> defaultValue);
    }

    static <E extends Enum<E>> Setting<E> choice(String name, Class<E> type, E defaultValue, String doc) {
        return of(name, doc, lower(defaultValue), raw -> parseEnum(raw, type), conf -> defaultValue);
    }

    /** Full key, e.g. {@code spark.starspark.blockSize}. */
    public String key() {
        return key;
    }

    public String doc() {
        return doc;
    }

    /** The default as documented (a value, or how it is derived). */
    public String defaultDoc() {
        return defaultDoc;
    }

    /** The value in {@code conf}, or the default when the key is absent or blank. */
    public T read(Map<String, String> conf) {
        String raw = conf.get(key);
        if (raw == null || raw.isBlank()) {
            return defaultValue.apply(conf);
        }
        try {
            return parser.apply(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new UserError(key + " " + e.getMessage() + " (got '" + raw + "')", e);
        }
    }

    @Override
    public String toString() {
        return key + " (default " + defaultDoc + "): " + doc;
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static Integer parsePositive(String raw) {
        return parseInt(raw, 1);
    }

    private static int parseInt(String raw, int min) {
        String expected = min > 0 ? "must be a positive integer" : "must be an integer >= " + min;
        int value;
        try {
            value = Integer.parseInt(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(expected);
        }
        if (value < min) {
            throw new IllegalArgumentException(expected);
        }
        return value;
    }

    private static <E extends Enum<E>> E parseEnum(String raw, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(raw)) {
                return e;
            }
        }
        StringBuilder choices = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            choices.append(choices.length() == 0 ? "" : "|").append(lower(e));
        }
        throw new IllegalArgumentException("must be one of " + choices);
    }
}
