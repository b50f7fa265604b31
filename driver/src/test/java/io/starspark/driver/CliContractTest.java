package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.model.LlamaModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI contract later checks rely on: tokenize/generate JSON against the goldens; make-model. */
class CliContractTest {
    static final Path SHARED = Path.of(System.getProperty("starspark.shared", "../../shared"));
    static final String MODEL = SHARED.resolve("models/stories260K.gguf").toString();
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    record Result(int code, String out, String err) {
        JsonNode json() throws Exception {
            return JSON.readTree(out);
        }
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)), args);
        return new Result(code, out.toString(), err.toString());
    }

    static JsonNode golden() throws Exception {
        return JSON.readTree(SHARED.resolve("golden/stories260K.json").toFile());
    }

    static int[] ints(JsonNode a) {
        return IntStream.range(0, a.size()).map(i -> a.get(i).asInt()).toArray();
    }

    @Test
    void tokenizeJsonMatchesGolden() throws Exception {
        for (JsonNode c : golden().get("tokenize")) {
            Result r = run("tokenize", "--model", MODEL, "--text", c.get("text").asText(), "--json");
            assertEquals(0, r.code(), r.err());
            assertArrayEquals(ints(c.get("ids")), ints(r.json().get("ids")), c.get("text").asText());
        }
    }

    @Test
    void generateJsonMatchesGoldenGreedyContinuation() throws Exception {
        JsonNode g = golden().get("greedy");
        Result r = run("generate", "--model", MODEL, "--prompt", g.get("prompt").asText(), "--max-new-tokens",
                g.get("new_tokens").asText(), "--json", "-c", "spark.starspark.kernels=java");
        assertEquals(0, r.code(), r.err());
        JsonNode out = r.json();
        assertEquals(5, out.get("prompt_tokens").asInt());
        assertArrayEquals(ints(g.get("ids")), ints(out.get("ids")));
        assertEquals(g.get("text").asText(), out.get("text").asText());
        assertTrue(out.get("stats").get("decode_tokens_per_second").asDouble() > 0);
    }

    @Test
    void makeModelWritesALoadableModelAndRefusesToOverwrite() throws Exception {
        Path out = tmp.resolve("tiny.gguf");
        Result r = run("make-model", "--shape", "stories260k", "--dtype", "q8_0", "--seed", "3", "--out", out.toString(), "--json");
        assertEquals(0, r.code(), r.err());
        LlamaModel m = LlamaModel.load(out);
        assertEquals(5, m.config().layers());
        assertEquals(Files.size(out), r.json().get("bytes").asLong());
        byte[] before = Files.readAllBytes(out);
        Result again = run("make-model", "--shape", "stories260k", "--out", out.toString());
        assertEquals(2, again.code());
        assertEquals("starspark: error: output file already exists: " + out + " (use --force to overwrite)",
                again.err().strip());
        assertArrayEquals(before, Files.readAllBytes(out), "existing file untouched");
        Result badShape = run("make-model", "--shape", "7b", "--out", tmp.resolve("x.gguf").toString());
        assertEquals(2, badShape.code());
        assertTrue(badShape.err().startsWith("starspark: error: unknown model shape '7b'"), badShape.err());
        assertFalse(Files.exists(tmp.resolve("x.gguf")), "nothing written on error");
        assertFalse(Files.exists(tmp.resolve("x.gguf.tmp")), "no temp file left");
    }
}
