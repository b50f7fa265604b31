package io.starspark.driver;

import static io.starspark.driver.Cli.KERNELS;
import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs an adversarial user tried (issue 9): each is a one-line user error or is obeyed, never ignored. */
class ReliabilityCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** {@code @FILE} in a value is text: picocli must not read the file into the prompt or question. */
    @Test
    void anAtFileValueIsNotExpanded() throws IOException {
        Path secret = Files.writeString(tmp.resolve("secret.txt"), "Lily Lily Lily Lily Lily Lily Lily Lily");
        String value = "@" + secret;
        Cli.Result r = run("generate", "--model", MODEL, "--prompt", value, "--max-new-tokens", "1", "--kernels", KERNELS,
                "--json");
        assertEquals(0, r.code(), r.err());
        Cli.Result tokens = run("tokenize", "--model", MODEL, "--text", value, "--json");
        assertEquals(0, tokens.code(), tokens.err());
        int expected = JSON.readTree(tokens.out()).get("ids").size();
        assertEquals(expected, JSON.readTree(r.out()).get("prompt_tokens").asInt(), "the prompt is the text '" + value + "'");
    }

    /** A NUL or escape character from a user's file is escaped in the one error line. */
    @Test
    void controlCharactersInAnIdAreEscapedInTheErrorLine() throws IOException {
        String row = "{\"id\":\"a\\u0000b\\u001b[31m\",\"document\":\"x\",\"questions\":[\"y\"]}\n";
        Path input = Files.writeString(tmp.resolve("nul.jsonl"), row + row);
        String message = Cli.userErrorMessage(run("run", "--model", MODEL, "--input", input.toString(), "--output",
                tmp.resolve("out").toString()));
        assertTrue(message.contains("duplicate id 'a\\u0000b\\u001b[31m'"), message);
        assertFalse(message.chars().anyMatch(Character::isISOControl), message);
    }

    /** The same id on a row that runs: the progress lines name it escaped, never with raw control characters. */
    @Test
    void controlCharactersInAnIdAreEscapedInTheProgressLines() throws IOException {
        String row = "{\"id\":\"a\\u0000b\\u001b[31m\",\"document\":\"Once upon a time\",\"questions\":[\" Lily\"]}\n";
        Path input = Files.writeString(tmp.resolve("nul-run.jsonl"), row);
        Cli.Result r = run("run", "--model", MODEL, "--input", input.toString(), "--output", tmp.resolve("nul-out").toString(),
                "--block-size", "16", "--page-size", "16", "--max-new-tokens", "2", "--kv-dir", tmp.resolve("kv-nul").toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("phase 1 'a\\u0000b\\u001b[31m'"), r.err());
        assertFalse(r.err().chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\r'), r.err());
    }

    @Test
    void aKeyOutsideSparkIsRefused() {
        assertEquals("setting foo.bar is neither a starspark key (spark.starspark.*) nor a Spark key (spark.*)",
                Cli.userErrorMessage(run("generate", "--model", MODEL, "--prompt", "Once", "-c", "foo.bar=1")));
    }

    /** Full attention runs no Spark: a Spark setting would be ignored, so it is refused. */
    @Test
    void aSparkSettingWithFullAttentionIsRefused() {
        assertEquals("full attention runs no Spark, so the Spark settings [spark.master] would have no effect;"
                        + " drop them or use --attention star",
                Cli.userErrorMessage(run("generate", "--model", MODEL, "--prompt", "Once", "-c", "spark.master=local[1]")));
    }

    @Test
    void settingsFileErrorsNameTheFile() throws IOException {
        Path bad = Files.writeString(tmp.resolve("bad.properties"), "spark.starspark.blockSize=abc\n");
        assertEquals("settings file " + bad + ": spark.starspark.blockSize must be a positive integer (got 'abc')",
                Cli.userErrorMessage(run("generate", "--model", MODEL, "--prompt", "Once", "--settings", bad.toString())));
        Path typo = Files.writeString(tmp.resolve("typo.properties"), "spark.starspark.blokSize=64\n");
        assertTrue(Cli.userErrorMessage(run("generate", "--model", MODEL, "--prompt", "Once", "--settings",
                typo.toString())).startsWith("settings file " + typo + ": unknown setting spark.starspark.blokSize"));
    }

    /** {@code -c spark.*} reaches Spark: the master of -c is the one the job ran on. */
    @Test
    void sparkSettingsReachSpark() throws IOException {
        Cli.Result r = run("cluster-check", "-c", "spark.master=local[1]", "-c", "spark.starspark.kernels=java", "--json");
        assertEquals(0, r.code(), r.err());
        JsonNode json = JSON.readTree(r.out());
        assertEquals("local[1]", json.get("master").asText());
        assertTrue(Cli.userErrorMessage(run("cluster-check", "-c", "spark.executor.memory=12qq"))
                .startsWith("Spark refused the settings [spark.executor.memory]: "));
        assertEquals("--master local[2] and -c spark.master=local[1] disagree; give one",
                Cli.userErrorMessage(run("cluster-check", "--master", "local[2]", "-c", "spark.master=local[1]")));
    }

    @Test
    void aGarbageMasterIsAUserError() {
        assertEquals("the Spark master 'garbage' (--master or spark.master) is not a master URL (local[N],"
                + " spark://HOST:PORT, yarn, k8s://...): Could not parse Master URL: 'garbage'",
                Cli.userErrorMessage(run("cluster-check", "--master", "garbage")));
    }

    /** Nobody listens on port 1: the wait is bounded by --wait-seconds, and the message says what is wrong. */
    @Test
    void anUnreachableMasterFailsWithinItsWait() {
        long t0 = System.nanoTime();
        String message = Cli.userErrorMessage(run("cluster-check", "--master", "spark://127.0.0.1:1", "--wait-seconds",
                "3"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertTrue(message.startsWith("no Spark master answers at spark://127.0.0.1:1 after 3 s (127.0.0.1:1: "),
                message);
        assertTrue(seconds < 30, "took " + seconds + " s");
    }

    /** The executor-side error (a kv-dir that is a file) arrives wrapped in SparkException: one line, exit 2. */
    @Test
    void aKvDirThatIsAFileIsOneLine() throws IOException {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        Path context = Files.writeString(tmp.resolve("context.txt"), "Once upon a time there was a girl named Lily.");
        String message = Cli.userErrorMessage(run("generate", "--model", MODEL, "--context-file", context.toString(),
                "--question", " Lily", "--block-size", "16", "--page-size", "16", "--kv-dir", file.toString(),
                "--kernels", KERNELS, "--max-new-tokens", "1", "--master", "local[1]"));
        assertTrue(message.startsWith("cannot "), message);
        assertTrue(message.contains(file.toString()), message);
    }

    /** Phase 1 says what it will write, and a document over spark.starspark.maxKvBytes is refused before it. */
    @Test
    void aDocumentOverTheKvLimitIsRefusedBeforePhase1() throws IOException {
        Path context = Files.writeString(tmp.resolve("context.txt"), "Once upon a time there was a girl named Lily.");
        Path kv = tmp.resolve("kv");
        String message = Cli.userErrorMessage(run("generate", "--model", MODEL, "--context-file", context.toString(),
                "--question", " Lily", "--block-size", "16", "--page-size", "16", "--kv-dir", kv.toString(),
                "--kernels", KERNELS, "--max-new-tokens", "1", "--master", "local[1]", "-c",
                "spark.starspark.maxKvBytes=4k"));
        assertTrue(message.matches("phase 1 would write 0\\.00 GiB \\(\\d+ bytes\\) of K/V \\(\\d+ tokens in \\d+ blocks,"
                + " 5 layers, F32\\) to \\S+/kv/doc-[0-9a-f]{16}, over spark.starspark.maxKvBytes = 0\\.00 GiB \\(4096 bytes\\);"
                + " raise it .*"), message);
        assertFalse(Files.exists(kv), "nothing written");
    }

    /** Page sizes whose block-file slot overflows int: one line before any work (was NegativeArraySize/overflow). */
    @Test
    void aPageTooLargeForABlockFileIsOneLine() throws IOException {
        Path context = Files.writeString(tmp.resolve("context.txt"), "Once upon a time there was a girl named Lily.");
        String message = Cli.userErrorMessage(run("generate", "--model", MODEL, "--context-file", context.toString(),
                "--question", " Lily", "--block-size", "1073741824", "--page-size", "1073741824", "--kv-dir",
                tmp.resolve("kv").toString(), "--kernels", KERNELS, "--max-new-tokens", "1", "--master", "local[1]"));
        assertTrue(message.startsWith("a K/V page of 1073741824 tokens (4 KV heads x 8 dims, keys and values in F32)"
                + " takes 274877906944 bytes, over the 2147483631 a block file holds; use a smaller pageSize"), message);
    }

    /** A long document is tokenized to the same ids as a short one would be, with the heartbeat stopped after. */
    @Test
    void aLongDocumentIsTokenizedAsUsual() {
        io.starspark.model.Tokenizer t = io.starspark.model.LlamaModel.load(Path.of(MODEL)).tokenizer();
        String text = "Lily and Tom played in the park. ".repeat(DocumentTokens.LONG_CHARS / 33 + 1);
        assertTrue(text.length() >= DocumentTokens.LONG_CHARS);
        org.junit.jupiter.api.Assertions.assertArrayEquals(t.encode(text, true, true),
                DocumentTokens.encode(t, text, "a test document"));
        assertFalse(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(th -> th.getName().equals("tokenizing-heartbeat") && th.isAlive()), "heartbeat stopped");
    }
}
