package io.starspark.driver;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --json}: results as one JSON object on stdout instead of "key: value" lines. */
public final class OutputOptions {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Option(names = "--json", description = "print the result as one JSON object")
    boolean json;

    /** Prints a result (values: strings, numbers, lists, maps, records). */
    public void print(PrintWriter out, Map<String, ?> result) {
        if (json) {
            out.println(toJson(result));
        } else {
            result.forEach((key, value) -> out.println(key + ": " + (value instanceof String ? value : toJson(value))));
        }
        out.flush();
    }

    static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass().getName(), e);
        }
    }
}
