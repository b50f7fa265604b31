package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.errors.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing rules of the run job's JSONL input that the CLI tests do not cover. */
class BatchInputTest {
    private static final Path CONF = Path.of(System.getProperty("starspark.conf.dir", "../conf"));

    @TempDir
    Path tmp;

    @Test
    void exampleInputOfTheReadmeIsValid() {
        List<BatchDocument> docs = BatchInput.read(CONF.resolve("example-input.jsonl").toString(), new Configuration());
        assertEquals(List.of("lily-park", "tom-dog"), docs.stream().map(BatchDocument::id).toList());
        assertEquals(List.of(" Lily", " Her mom said"), docs.get(0).questions());
        assertEquals(2, docs.get(1).line());
    }

    @Test
    void blankLinesAndCrLfAreSkippedAndLinesCounted() throws IOException {
        Path in = Files.writeString(tmp.resolve("in.jsonl"),
                "\r\n{\"id\":\"a\",\"document\":\"x\",\"questions\":[\"q\"],\"extra\":1}\r\n\r\n"
                        + "{\"id\":\"b\",\"document\":\"y\",\"questions\":[\"q1\",\"q2\"]}", StandardCharsets.UTF_8);
        List<BatchDocument> docs = BatchInput.read(in.toString(), new Configuration());
        assertEquals(List.of(2, 4), docs.stream().map(BatchDocument::line).toList());
        assertEquals(List.of("q1", "q2"), docs.get(1).questions());
    }

    @Test
    void chatIsAnOptionalBoolean() {
        assertEquals(true, BatchInput.parse("f", 1, "{\"id\": \"a\", \"document\": \"x\", \"questions\": [\"q\"], \"chat\": true}").chat());
        assertEquals(false, BatchInput.parse("f", 1, "{\"id\": \"a\", \"document\": \"x\", \"questions\": [\"q\"]}").chat());
        assertEquals("f line 7: \"chat\" must be true or false",
                parseError("{\"id\": \"a\", \"document\": \"x\", \"questions\": [\"q\"], \"chat\": \"yes\"}"));
    }

    @Test
    void rowProblemsNameLineAndField() {
        assertEquals("f line 7: not a JSON object", parseError("[1, 2]"));
        assertEquals("f line 7: \"id\" must be a non-empty string", parseError("{\"id\": 5, \"document\": \"x\", \"questions\": [\"q\"]}"));
        assertEquals("f line 7: \"document\" must be a non-empty string", parseError("{\"id\": \"a\", \"document\": \" \", \"questions\": [\"q\"]}"));
        assertEquals("f line 7: \"questions\" must be a non-empty array of strings", parseError("{\"id\": \"a\", \"document\": \"x\", \"questions\": \"q\"}"));
        assertEquals("f line 7: questions[0] must be a non-empty string", parseError("{\"id\": \"a\", \"document\": \"x\", \"questions\": [3]}"));
        assertEquals("f line 7: missing \"id\"", parseError("{\"document\": \"x\", \"questions\": [\"q\"]}"));
        String trailing = parseError("{\"id\": \"a\", \"document\": \"x\", \"questions\": [\"q\"]} {}");
        assertEquals("f line 7: not valid JSON (", trailing.substring(0, "f line 7: not valid JSON (".length()));
        String duplicateKey = parseError("{\"id\": \"a\", \"id\": \"b\", \"document\": \"x\", \"questions\": [\"q\"]}");
        assertEquals("f line 7: not valid JSON (Duplicate field 'id')", duplicateKey);
    }

    @Test
    void emptyInputIsAnError() throws IOException {
        Path in = Files.writeString(tmp.resolve("empty.jsonl"), "\n \n");
        assertEquals("input " + in + " has no rows",
                assertThrows(UserError.class, () -> BatchInput.read(in.toString(), new Configuration())).getMessage());
    }

    private static String parseError(String row) {
        return assertThrows(UserError.class, () -> BatchInput.parse("f", 7, row)).getMessage();
    }
}
