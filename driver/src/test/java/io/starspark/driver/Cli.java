package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import picocli.CommandLine;

/** Runs the CLI in-process and checks the error contract; shared by the driver's command tests. */
final class Cli {
    static final Path SHARED = Path.of(System.getProperty("starspark.shared", "../../shared"));
    static final String MODEL = SHARED.resolve("models/stories260K.gguf").toString();
    static final String KERNELS = System.getProperty("test.kernels", "java");

    private Cli() {
    }

    record Result(int code, String out, String err) {
        String[] errLines() {
            return err.isEmpty() ? new String[0] : err.split("\\R");
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        int code = Main.execute(cl, args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Exit code 2 and exactly the line {@code starspark: error: <message>} on stderr. */
    static void assertUserError(Result r, String message) {
        assertEquals(message, userErrorMessage(r));
    }

    /** Exit code 2 and exactly one line on stderr; returns its message. */
    static String userErrorMessage(Result r) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().length, "exactly one line on stderr: " + r.err());
        assertTrue(r.errLines()[0].startsWith(ErrorContract.PREFIX), r.err());
        return r.errLines()[0].substring(ErrorContract.PREFIX.length());
    }

    /** The golden Star case (stories260K, block 64, anchor 64, page 16, 24 new tokens). */
    static JsonNode goldenStarCase() throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(SHARED.resolve("golden/stories260K-star.json")))
                .get("cases").get(0);
    }

    static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }
}
