package io.starspark.driver;

import static io.starspark.driver.Cli.KERNELS;
import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.Cli.assertUserError;
import static io.starspark.driver.Cli.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code starspark generate}'s user errors: exit code 2 and one line naming the problem. */
class GenerateErrorsTest {

    @TempDir
    Path tmp;

    @Test
    void emptyPrompt() {
        assertUserError(run("generate", "--model", MODEL, "--prompt", ""), "--prompt is empty");
        assertUserError(run("generate", "--model", MODEL, "--prompt", "  \n "), "--prompt is empty");
    }

    @Test
    void maxNewTokensOutOfRange() {
        assertUserError(run("generate", "--model", MODEL, "--prompt", "Once", "--max-new-tokens", "0"),
                "--max-new-tokens must be between 1 and 4096 (got 0)");
        assertUserError(run("generate", "--model", MODEL, "--prompt", "Once", "--max-new-tokens", "100000"),
                "--max-new-tokens must be between 1 and 4096 (got 100000)");
    }

    @Test
    void promptTogetherWithContextFile() throws IOException {
        Path context = Files.writeString(tmp.resolve("context.txt"), "Once upon a time");
        assertUserError(run("generate", "--model", MODEL, "--prompt", "Once", "--context-file", context.toString()),
                "give either --prompt, or --context-file with --question, not both");
    }

    @Test
    void contextFileMissing() {
        Path missing = tmp.resolve("missing.txt");
        assertUserError(run("generate", "--model", MODEL, "--context-file", missing.toString(), "--question", " Lily"),
                "file not found: " + missing);
    }

    @Test
    void contextFileEmpty() throws IOException {
        Path empty = Files.writeString(tmp.resolve("empty.txt"), " \n");
        assertUserError(run("generate", "--model", MODEL, "--context-file", empty.toString(), "--question", " Lily"),
                "context file " + empty + " is empty");
    }

    @Test
    void contextFileNotUtf8() throws IOException {
        byte[] latin1 = "Caf\u00e9 au lait".getBytes(StandardCharsets.ISO_8859_1); // 0xE9 alone is invalid UTF-8
        Path bad = Files.write(tmp.resolve("latin1.txt"), latin1);
        assertUserError(run("generate", "--model", MODEL, "--context-file", bad.toString(), "--question", " Lily"),
                bad + " is not valid UTF-8 text");
    }

    @Test
    void kvManifestMismatchNamesBlockSize() throws IOException {
        Path context = Files.writeString(tmp.resolve("context.txt"), Cli.goldenStarCase().get("context_text").asText());
        String kv = tmp.resolve("kv").toUri().toString();
        String[] first = {"generate", "--model", MODEL, "--context-file", context.toString(), "--question", " Lily",
            "--attention", "star", "--block-size", "64", "--anchor-size", "64", "--page-size", "16", "--kv-dir", kv,
            "--kernels", KERNELS, "--max-new-tokens", "1", "--master", "local[1]"};
        Cli.Result ok = run(first);
        assertEquals(0, ok.code(), ok.err());
        String[] second = first.clone();
        second[10] = "32"; // --block-size
        second[12] = "32"; // --anchor-size
        String message = Cli.userErrorMessage(run(second));
        assertTrue(message.matches("K/V at \\S+/kv/doc-[0-9a-f]{16} was prefilled with blockSize 64 but this run uses 32, "
                + "anchorSize 64 but this run uses 32; re-prefill with --reprefill or point --kv-dir elsewhere"), message);
        String[] again = java.util.Arrays.copyOf(second, second.length + 2);
        again[second.length] = "--reprefill";
        again[second.length + 1] = "--json";
        Cli.Result re = run(again);
        assertEquals(0, re.code(), re.err());
        com.fasterxml.jackson.databind.JsonNode stats = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(re.out()).get("stats");
        assertEquals(false, stats.get("prefill_reused").asBoolean());
        assertEquals(10, stats.get("blocks").asInt(), "300 tokens in blocks of 32");
    }
}
