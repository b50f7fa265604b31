package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One {@code spark.starspark.*} key, defined once: its type (the parser), default, one line of doc, its
 * own check and where its value lives in {@link StarSettings}. Parsing ({@link #read}), validation
 * ({@link #check}, called by the {@link StarSettings} constructor), writing back ({@link #write}) and the
 * docs ({@link #toString}) all derive from it. Read the same way from a SparkConf's entries or any map,
 * on driver and executors alike. Every problem is a {@link UserError} naming the key and
 * the value. Rules between keys live in the {@link StarSettings} constructor.
 *
 * @param <T> the parsed type
 */
public final class Setting<T> {

    public static final String PREFIX = "spark.starspark.";

    private final String key;
    private final String doc;
    private final String defaultDoc;
    private final Function<String, T> parser;
    private final Predicate<T> valid;
    private final String rule;
    private final Function<Map<String, String>, T> defaultValue;
    private final Function<StarSettings, T> value;

    private Setting(String name, String doc, String defaultDoc, Function<String, T> parser, Predicate<T> valid,
                    String rule, Function<Map<String, String>, T> defaultValue, Function<StarSettings, T> value) {
        this.key = PREFIX + name;
        this.doc = doc;
        this.defaultDoc = defaultDoc;
        this.parser = parser;
        this.valid = valid;
        this.rule = rule;
        this.defaultValue = defaultValue;
        this.value = value;
    }

    /**
     * A setting whose default may depend on other settings (e.g. anchorSize = blockSize).
     *
     * @param parser throws an {@link IllegalArgumentException} saying what the value must be
     * @param valid  the key's own check of a parsed value; {@code rule} says it ("must be ...")
     */
    static <T> Setting<T> of(String name, String doc, String defaultDoc, Function<String, T> parser, Predicate<T> valid,
                             String rule, Function<Map<String, String>, T> defaultValue, Function<StarSettings, T> value) {
        return new Setting<>(name, doc, defaultDoc, parser, valid, rule, defaultValue, value);
    }

    /** An integer of at least {@code min} whose default is {@code defaultValue} or, when null, {@code sameAs}'s value. */
    static Setting<Integer> integer(String name, int min, Integer defaultValue, Setting<Integer> sameAs, String doc,
                                    Function<StarSettings, Integer> value) {
        String rule = min == 1 ? "must be a positive integer" : "must be an integer >= " + min;
        Function<String, Integer> parser = raw -> {
            try {
                return Integer.parseInt(raw);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(rule);
            }
        };
        return defaultValue != null
                ? of(name, doc, defaultValue.toString(), parser, v -> v >= min, rule, conf -> defaultValue, value)
                : of(name, doc, sameAs.key.substring(PREFIX.length()), parser, v -> v >= min, rule, sameAs::read, value);
    }

    /** One of an enum's constants, written lower-case; the doc lists them ({@code doc: a|b|c}). */
    static <E extends Enum<E>> Setting<E> choice(String name, Class<E> type, E defaultValue, String doc,
                                                Function<StarSettings, E> value) {
        return of(name, doc + ": " + choices(type), lower(defaultValue), raw -> parseEnum(raw, type), v -> true, "",
                conf -> defaultValue, value);
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
            T parsed = parser.apply(raw.trim());
            if (!valid.test(parsed)) {
                throw new IllegalArgumentException(rule);
            }
            return parsed;
        } catch (IllegalArgumentException e) {
            throw new UserError(key + " " + e.getMessage() + " (got '" + raw + "')", e);
        }
    }

    /** {@code v} when it passes this key's own check; otherwise an error naming the key and the value. */
    public T check(T v) {
        if (!valid.test(v)) {
            throw new UserError(key + " " + rule + " (got " + format(v) + ")");
        }
        return v;
    }

    /** This key's value in {@code settings}, as written in a conf. */
    public String write(StarSettings settings) {
        return format(value.apply(settings));
    }

    /** This key's row in the README settings table: key, default, doc (a {@code |} escaped). */
    public String markdownRow() {
        return "| `" + key + "` | `" + defaultDoc + "` | " + doc.replace("|", "\\|") + " |";
    }

    @Override
    public String toString() {
        return key + " (default " + defaultDoc + "): " + doc;
    }

    private static String format(Object v) {
        return v instanceof Enum<?> e ? lower(e) : String.valueOf(v);
    }

    static String lower(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> String choices(Class<E> type) {
        StringBuilder choices = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            choices.append(choices.length() == 0 ? "" : "|").append(lower(e));
        }
        return choices.toString();
    }

    private static <E extends Enum<E>> E parseEnum(String raw, Class<E> type) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(raw)) {
                return e;
            }
        }
        throw new IllegalArgumentException("must be one of " + choices(type));
    }
}
