package io.starspark.driver;

import static io.starspark.driver.Cli.KERNELS;
import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.Cli.ints;
import static io.starspark.driver.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.ModelRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code starspark run} end to end on local Spark with stories260K, against the Star golden. */
class RunCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Short enough for one 64-token block, so Star equals full attention exactly. */
    static final String SHORT_DOC = "Tom had a red ball. He liked to throw the ball to his dog Max.";
    static final List<String> ROW_FIELDS = List.of("id", "question", "answer", "ids", "stats");

    @TempDir
    Path tmp;

    private Path input(JsonNode golden) throws IOException {
        List<String> rows = List.of(
                JSON.writeValueAsString(Map.of("id", "lily", "document", golden.get("context_text").asText(),
                        "questions", List.of(golden.get("question").asText(), " Her mom"))),
                JSON.writeValueAsString(Map.of("id", "tom", "document", SHORT_DOC,
                        "questions", List.of(" Tom", " The dog"))));
        return Files.write(tmp.resolve("in.jsonl"), rows, StandardCharsets.UTF_8);
    }

    /** The rows of a JSONL output folder: its one part file, written by Spark's JSON writer. */
    static List<JsonNode> rows(Path output) throws IOException {
        List<JsonNode> rows = new ArrayList<>();
        for (String line : Files.readAllLines(part(output, ".json"), StandardCharsets.UTF_8)) {
            rows.add(JSON.readTree(line));
        }
        return rows;
    }

    /** The one {@code part-*} file of an output folder (the job writes one partition). */
    static Path part(Path output, String extension) throws IOException {
        List<String> parts = names(output).stream().filter(n -> n.startsWith("part-")).toList();
        assertEquals(1, parts.size(), "one part file in " + names(output));
        assertTrue(parts.get(0).endsWith(extension), parts.get(0));
        return output.resolve(parts.get(0));
    }

    /** _SUCCESS and one part file, nothing else (no temporary folder of the committer left). */
    static void assertCommitted(Path output, String extension) throws IOException {
        part(output, extension);
        assertEquals(2, names(output).size(), names(output).toString());
        assertTrue(names(output).contains("_SUCCESS"), names(output).toString());
    }

    /** File names in {@code dir}, without the local FileSystem's hidden {@code .NAME.crc} checksum files. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> !(n.startsWith(".") && n.endsWith(".crc")))
                    .sorted().toList();
        }
    }

    /** Greedy full attention over context ++ question on this JVM: the reference for one-block documents. */
    private static int[] fullAttention(String document, String question, int maxNew) {
        LlamaModel m = ModelRegistry.get(MODEL);
        int[] prompt = IntStream.concat(IntStream.of(m.tokenizer().encode(document, true, true)),
                IntStream.of(m.tokenizer().encode(question, false, false))).toArray();
        return new Generator(m, KernelBackends.select(KernelsChoice.valueOf(KERNELS.toUpperCase(java.util.Locale.ROOT)))).generate(prompt, maxNew, Sampler.greedy()).ids();
    }

    @Test
    void starBatchMatchesGoldenReusesPrefillAndCommitsAtomically() throws IOException {
        JsonNode golden = Cli.goldenStarCase();
        Path in = input(golden);
        Path out = tmp.resolve("answers");
        Cli.Result r = run("run", "--model", MODEL, "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", golden.get("new_tokens").asText(), "--attention", "star",
                "--block-size", golden.get("block_size").asText(), "--anchor-size", golden.get("anchor_size").asText(),
                "--page-size", "16", "--kv-dir", tmp.resolve("kv").toUri().toString(), "--kernels", KERNELS,
                "--master", "local[2]", "--json");
        assertEquals(0, r.code(), r.err());

        JsonNode summary = JSON.readTree(r.out());
        assertEquals(2, summary.get("documents").asInt());
        assertEquals(4, summary.get("questions").asInt());
        assertEquals(2, summary.get("prefills").asInt(), "one prefill per document");
        assertEquals("star", summary.get("attention").asText());

        assertCommitted(out, ".json");
        assertEquals(List.of("answers", "in.jsonl", "kv"), names(tmp), "no temporary folder left beside the output");

        List<JsonNode> rows = rows(out);
        assertEquals(4, rows.size());
        for (JsonNode row : rows) {
            List<String> fields = new ArrayList<>();
            row.fieldNames().forEachRemaining(fields::add);
            assertEquals(ROW_FIELDS, fields);
        }
        JsonNode lily = rows.get(0);
        assertEquals("lily", lily.get("id").asText());
        assertEquals(" Lily", lily.get("question").asText());
        assertArrayEquals(ints(golden.get("star").get("ids")), ints(lily.get("ids")), "golden star ids");
        assertEquals(golden.get("star").get("text").asText(), lily.get("answer").asText());
        JsonNode s0 = lily.get("stats");
        assertFalse(s0.get("prefill_reused").asBoolean());
        assertEquals(golden.get("context_ids").size(), s0.get("context_tokens").asInt());
        assertEquals(5, s0.get("blocks").asInt());
        assertTrue(s0.get("executors").asInt() >= 1, s0.toString());
        assertEquals(24, s0.get("generated_tokens").asInt());
        assertTrue(s0.get("phase1_seconds").asDouble() > 0, s0.toString());

        JsonNode mom = rows.get(1);
        assertEquals(List.of("lily", " Her mom"), List.of(mom.get("id").asText(), mom.get("question").asText()));
        assertFalse(mom.get("stats").get("prefill_reused").asBoolean(), "both questions share the one phase 1 of this run");
        assertEquals(s0.get("kv_root").asText(), mom.get("stats").get("kv_root").asText());

        for (int q = 2; q < 4; q++) {
            JsonNode row = rows.get(q);
            assertEquals("tom", row.get("id").asText());
            assertEquals(1, row.get("stats").get("blocks").asInt());
            assertFalse(row.get("stats").get("prefill_reused").asBoolean());
            assertArrayEquals(fullAttention(SHORT_DOC, row.get("question").asText(), 24), ints(row.get("ids")),
                    "one-block Star = full attention for " + row.get("question"));
        }
    }

    @Test
    void fullAttentionBatchMatchesGoldenWithoutSpark() throws IOException {
        JsonNode golden = Cli.goldenStarCase();
        Path in = Files.writeString(tmp.resolve("in.jsonl"), JSON.writeValueAsString(Map.of("id", "lily",
                "document", golden.get("context_text").asText(), "questions", List.of(golden.get("question").asText())))
                + "\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("full");
        Cli.Result r = run("run", "--model", MODEL, "--input", in.toString(), "--output", out.toUri().toString(),
                "--max-new-tokens", golden.get("new_tokens").asText(), "--attention", "full", "--kernels", KERNELS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("questions: 1"), r.out());
        assertTrue(r.out().contains("failed_rows: 0"), r.out());
        List<JsonNode> rows = rows(out);
        assertEquals(1, rows.size());
        assertArrayEquals(ints(golden.get("full").get("ids")), ints(rows.get(0).get("ids")), "golden full ids");
        assertEquals("full", rows.get(0).get("stats").get("attention").asText());
        assertEquals(List.of("full", "in.jsonl"), names(tmp), "no K/V for full attention");
        assertCommitted(out, ".json");
    }

    /** The names of a stats object, in order. */
    private static List<String> names(JsonNode stats) {
        List<String> names = new ArrayList<>();
        stats.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void generateAndRunReportTheSameStatsUnderTheSameNames() throws IOException {
        Path doc = Files.writeString(tmp.resolve("doc.txt"), SHORT_DOC, StandardCharsets.UTF_8);
        Path in = Files.writeString(tmp.resolve("in.jsonl"), JSON.writeValueAsString(Map.of("id", "tom",
                "document", SHORT_DOC, "questions", List.of(" Tom"))) + "\n", StandardCharsets.UTF_8);
        for (String attention : List.of("full", "star", "sparse")) {
            String kv = tmp.resolve("kv-" + attention).toUri().toString();
            List<String> common = List.of("--model", MODEL, "--max-new-tokens", "8", "--attention", attention,
                    "--block-size", "64", "--page-size", "16", "--top-k", "2", "--kv-dir", kv, "--kernels", KERNELS,
                    "--master", "local[2]");
            List<String> generate = new ArrayList<>(List.of("generate", "--context-file", doc.toString(),
                    "--question", " Tom", "--json"));
            generate.addAll(common);
            Cli.Result g = run(generate.toArray(String[]::new));
            assertEquals(0, g.code(), g.err());
            JsonNode fromGenerate = JSON.readTree(g.out()).get("stats");
            Path out = tmp.resolve("out-" + attention);
            List<String> batch = new ArrayList<>(List.of("run", "--input", in.toString(), "--output", out.toString()));
            batch.addAll(common);
            Cli.Result r = run(batch.toArray(String[]::new));
            assertEquals(0, r.code(), r.err());
            JsonNode fromRun = rows(out).get(0).get("stats");

            assertEquals(names(fromGenerate), names(fromRun), attention + ": one set of names");
            for (String same : List.of("attention", "kernels", "context_tokens", "question_tokens", "generated_tokens")) {
                assertEquals(fromGenerate.get(same), fromRun.get(same), attention + " " + same);
            }
            assertEquals(attention, fromRun.get("attention").asText());
            assertEquals(JSON.readTree(g.out()).get("ids"), rows(out).get(0).get("ids"), attention + " ids");
            if (!attention.equals("full")) {
                assertFalse(fromGenerate.get("prefill_reused").asBoolean(), "generate prefilled " + fromGenerate);
                assertTrue(fromRun.get("prefill_reused").asBoolean(), "run reused generate's K/V " + fromRun);
                // the store's own count: with every page attended (star; sparse whose budget covers the 2 pages)
                // phase 2 reads every stored K/V byte of the context once, plus the block metas
                long written = fromGenerate.get("kv_bytes_written").asLong();
                long read = fromGenerate.get("context_bytes_read").asLong();
                assertTrue(written > 0 && read > written, attention + ": read " + read + " bytes, K/V written " + written);
            }
        }
    }

    @Test
    void sparseWithABudgetCoveringAllPagesEqualsStar() throws IOException {
        // 300 context tokens in 16-token pages = 19 pages; top-k 32 (+ sink + local) picks all of them,
        // so sparse decoding attends exactly what Star does and must give the golden Star ids.
        JsonNode golden = Cli.goldenStarCase();
        Path in = Files.writeString(tmp.resolve("in.jsonl"), JSON.writeValueAsString(Map.of("id", "lily",
                "document", golden.get("context_text").asText(), "questions", List.of(golden.get("question").asText())))
                + "\n", StandardCharsets.UTF_8);
        Path out = tmp.resolve("sparse");
        Cli.Result r = run("run", "--model", MODEL, "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", golden.get("new_tokens").asText(), "--attention", "sparse", "--top-k", "32",
                "--block-size", "64", "--anchor-size", "64", "--page-size", "16",
                "--kv-dir", tmp.resolve("kv").toUri().toString(), "--kernels", KERNELS, "--master", "local[2]");
        assertEquals(0, r.code(), r.err());
        JsonNode row = rows(out).get(0);
        assertEquals("sparse", row.get("stats").get("attention").asText());
        assertEquals(19, row.get("stats").get("pages").asInt());
        assertEquals(19.0, row.get("stats").get("context_pages_per_step").asDouble(), 1e-9);
        assertArrayEquals(ints(golden.get("star").get("ids")), ints(row.get("ids")), "sparse over all pages = star");
    }

    @Test
    void storedKvOfOtherSettingsFailsItsRowsAndTheExitCode() throws IOException {
        // The first run commits the document's manifest with block size 64; the second, with block size 32,
        // maps the same text to the same K/V folder and is refused by the manifest check: that row gets the
        // error, the output is still committed, and the exit code is 2 unless --allow-row-errors.
        Path in = Files.writeString(tmp.resolve("in.jsonl"),
                "{\"id\": \"a\", \"document\": \"" + SHORT_DOC + "\", \"questions\": [\" Tom\"]}\n", StandardCharsets.UTF_8);
        String kv = tmp.resolve("kv").toUri().toString();
        String[] common = {"run", "--model", MODEL, "--input", in.toString(), "--max-new-tokens", "2",
            "--page-size", "16", "--kv-dir", kv, "--kernels", KERNELS, "--master", "local[1]", "--quiet"};
        Cli.Result first = run(Stream.concat(Stream.of(common), Stream.of("--output", tmp.resolve("one").toString(),
                "--block-size", "64")).toArray(String[]::new));
        assertEquals(0, first.code(), first.err());
        Cli.Result second = run(Stream.concat(Stream.of(common), Stream.of("--output", tmp.resolve("two").toString(),
                "--block-size", "32", "--anchor-size", "32")).toArray(String[]::new));
        assertEquals("1 of 1 rows failed (their error column says why, in " + tmp.resolve("two")
                + "); --allow-row-errors accepts a partial result", Cli.userErrorMessage(second));
        assertCommitted(tmp.resolve("two"), ".json");
        JsonNode row = rows(tmp.resolve("two")).get(0);
        assertTrue(row.get("error").asText().contains("blockSize 64 but this run uses 32"), row.toString());
        assertFalse(row.has("answer") || row.has("ids"), "no answer on a failed row: " + row);
        Cli.Result allowed = run(Stream.concat(Stream.of(common), Stream.of("--output", tmp.resolve("three").toString(),
                "--block-size", "32", "--anchor-size", "32", "--allow-row-errors")).toArray(String[]::new));
        assertEquals(0, allowed.code(), allowed.err());
        assertTrue(allowed.out().contains("failed_rows: 1"), allowed.out());
    }
}
