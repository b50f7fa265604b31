package io.starspark.driver;

import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.Cli.assertUserError;
import static io.starspark.driver.Cli.run;
import static io.starspark.driver.Cli.userErrorMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code starspark run} refuses bad input before any Spark work: exit code 2, one line naming the
 * problem, and no output (nor temporary) folder left behind.
 */
class RunBadInputTest {
    static final String GOOD_ROW = "{\"id\": \"a\", \"document\": \"Once upon a time\", \"questions\": [\" Lily\"]}";

    @TempDir
    Path tmp;

    private Path input(String... lines) throws IOException {
        Path in = tmp.resolve("in.jsonl");
        Files.write(in, List.of(lines), StandardCharsets.UTF_8);
        return in;
    }

    private Cli.Result runJob(Path in, String model, String... extra) {
        String[] base = {"run", "--model", model, "--input", in.toString(), "--output", tmp.resolve("out").toString(),
            "--kv-dir", tmp.resolve("kv").toUri().toString(), "--master", "local[1]"};
        return run(Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new));
    }

    /** Nothing but the files the test itself wrote: no output, no temporary folder, no K/V. */
    private void assertNothingWritten(String... expected) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(Stream.of(expected).sorted().toList(), names);
        }
    }

    @Test
    void missingInputFile() throws IOException {
        Path in = tmp.resolve("nope.jsonl");
        assertUserError(runJob(in, MODEL), "file not found: " + in);
        assertNothingWritten();
    }

    @Test
    void badJsonNamesFileAndLine() throws IOException {
        Path in = input(GOOD_ROW, "", "{\"id\": \"b\", \"document\": \"x\" \"questions\": []}");
        assertUserError(runJob(in, MODEL), in + " row 2: not a valid JSON object: "
                + "{\"id\": \"b\", \"document\": \"x\" \"questions\": []}");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void missingDocument() throws IOException {
        Path in = input("{\"id\": \"a\", \"questions\": [\" Lily\"]}");
        assertUserError(runJob(in, MODEL), in + " needs columns id, document (or document_path) and questions; "
                + "it has id, questions");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void emptyQuestions() throws IOException {
        Path in = input(GOOD_ROW, "{\"id\": \"b\", \"document\": \"Once\", \"questions\": []}");
        assertUserError(runJob(in, MODEL), in + " row 2: \"questions\" must be a non-empty array of strings");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void emptyQuestionString() throws IOException {
        Path in = input("{\"id\": \"b\", \"document\": \"Once\", \"questions\": [\" Lily\", \"\"]}");
        assertUserError(runJob(in, MODEL), in + " row 1: questions[1] must be a non-empty string");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void duplicateId() throws IOException {
        Path in = input(GOOD_ROW, "{\"id\": \"c\", \"document\": \"Once\", \"questions\": [\"x\"]}", GOOD_ROW);
        assertUserError(runJob(in, MODEL), in + " row 3: duplicate id 'a' (first in row 1)");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void outputAlreadyExists() throws IOException {
        Path in = input(GOOD_ROW);
        Path out = Files.createDirectory(tmp.resolve("out"));
        assertUserError(runJob(in, MODEL), "output " + out + " already exists; choose a new --output or delete it");
        assertNothingWritten("in.jsonl", "out");
        try (Stream<Path> files = Files.list(out)) {
            assertEquals(0, files.count(), "the existing output is left alone");
        }
    }

    @Test
    void missingModel() throws IOException {
        Path in = input(GOOD_ROW);
        String model = tmp.resolve("missing.gguf").toString();
        assertUserError(runJob(in, model), "model file not found: " + model);
        assertNothingWritten("in.jsonl");
    }

    @Test
    void modelThatIsNotGguf() throws IOException {
        Path in = input(GOOD_ROW);
        Path junk = Files.writeString(tmp.resolve("junk.gguf"), "this is not a model, just some text\n".repeat(4));
        assertUserError(runJob(in, junk.toString()), junk + ": not a GGUF file (bad magic)");
        assertNothingWritten("in.jsonl", "junk.gguf");
    }

    @Test
    void truncatedGguf() throws IOException {
        Path in = input(GOOD_ROW);
        Path copy = Files.copy(Path.of(MODEL), tmp.resolve("truncated.gguf"));
        try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
            f.setLength(f.length() / 2);
        }
        String message = userErrorMessage(runJob(in, copy.toString()));
        assertTrue(message.startsWith(copy + ": ") && message.contains("past the end of the file"), message);
        assertNothingWritten("in.jsonl", "truncated.gguf");
    }

    @Test
    void badSettingValue() throws IOException {
        Path in = input(GOOD_ROW);
        assertUserError(runJob(in, MODEL, "-c", "spark.starspark.blockSize=100", "--page-size", "64"),
                "spark.starspark.blockSize must be a positive multiple of spark.starspark.pageSize (got 100, pageSize 64)");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void unknownSettingKey() throws IOException {
        Path in = input(GOOD_ROW);
        assertUserError(runJob(in, MODEL, "-c", "spark.starspark.blocksize=64"),
                "unknown setting spark.starspark.blocksize; did you mean spark.starspark.blockSize?");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void maxNewTokensOutOfRange() throws IOException {
        Path in = input(GOOD_ROW);
        assertUserError(runJob(in, MODEL, "--max-new-tokens", "0"), "--max-new-tokens must be between 1 and 4096 (got 0)");
        assertNothingWritten("in.jsonl");
    }

    @Test
    void inputAndOutputAreRequired() {
        String message = userErrorMessage(run("run", "--model", MODEL));
        assertTrue(message.startsWith("Missing required options: '--input=URI', '--output=URI'"), message);
    }
}
