package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;

/**
 * The Star Attention scenario shared by the cluster ITs (standalone JVMs, HDFS, docker compose):
 * {@code starspark generate --attention star} on case 0 of ../shared/golden/stories260K-star.json
 * (300 tokens, block 64, anchor 64, page 16: 5 blocks), answered against the golden ids.
 *
 * @param contextText the document
 * @param question    asked after it (leading space kept)
 * @param blockSize   Star block size of the golden case
 * @param anchorSize  Star anchor size of the golden case
 * @param newTokens   tokens generated
 * @param starIds     [newTokens] the golden star answer
 */
record StarScenario(String contextText, String question, int blockSize, int anchorSize, int newTokens,
                    List<Integer> starIds) {

    static final int PAGE_SIZE = 16;
    /** How phase 1 stores stories260K's K/V here: 5 layers of 4 KV heads of 8 floats, f32 (the default kvDtype). */
    static final KvLayout LAYOUT = new KvLayout(5, 4, 8, PAGE_SIZE, KvDtype.F32);

    /** K and V of every context token and layer as f32: what phase 1 must write. */
    static long kvBytes(int contextTokens) {
        return 2L * LAYOUT.layers() * contextTokens * LAYOUT.rowFloats() * Float.BYTES;
    }

    /** Case 0 of the golden file. */
    static StarScenario golden() throws IOException {
        JsonNode c = new ObjectMapper().readTree(Project.shared().resolve("golden/stories260K-star.json").toFile())
                .get("cases").get(0);
        List<Integer> ids = StreamSupport.stream(c.get("star").get("ids").spliterator(), false)
                .map(JsonNode::asInt).collect(Collectors.toList());
        return new StarScenario(c.get("context_text").asText(), c.get("question").asText(), c.get("block_size").asInt(),
                c.get("anchor_size").asInt(), c.get("new_tokens").asInt(), ids);
    }

    /**
     * {@code generate} arguments for this case.
     *
     * @param model       path of stories260K.gguf as the executors see it
     * @param contextFile path or URI of the document as the driver sees it
     * @param kvDir       K/V directory URI reachable by driver and executors
     * @param attention   star or sparse
     * @param executors   executors to wait for before phase 1 (1 on local masters)
     * @param extra       more arguments, e.g. {@code -c spark.starspark.sparse.topK=4}
     */
    List<String> args(String model, String contextFile, String kvDir, String attention, int executors,
                      List<String> extra) {
        return generateArgs(model, contextFile, question, newTokens, kvDir, attention, blockSize, anchorSize, PAGE_SIZE,
                executors, extra);
    }

    /** {@code starspark generate ... --json} with the java kernels. */
    static List<String> generateArgs(String model, String contextFile, String question, int newTokens, String kvDir,
                                     String attention, int block, int anchor, int page, int executors,
                                     List<String> extra) {
        List<String> args = new ArrayList<>(List.of("generate", "--model", model, "--context-file", contextFile,
                "--question", question, "--max-new-tokens", Integer.toString(newTokens), "--attention", attention,
                "--block-size", Integer.toString(block), "--anchor-size", Integer.toString(anchor),
                "--page-size", Integer.toString(page), "--kv-dir", kvDir,
                "--expect-executors", Integer.toString(executors), "--json", "-c", "spark.starspark.kernels=java"));
        args.addAll(extra);
        return args;
    }

    /** Writes {@code args} as a picocli {@code @file}: one double-quoted argument a line (keeps leading spaces). */
    static Path writeArgsFile(Path file, List<String> args) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String arg : args) {
            if (arg.contains("\"") || arg.contains("\\") || arg.contains("\n")) {
                throw new IllegalArgumentException("argument not representable in an args file: " + arg);
            }
            text.append('"').append(arg).append("\"\n");
        }
        Files.writeString(file, text);
        return file;
    }

    /** The last JSON line printed by {@code generate --json}. */
    static JsonNode result(String stdout) throws IOException {
        String line = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no JSON result on stdout:\n" + stdout));
        return new ObjectMapper().readTree(line);
    }

    /** Asserts the golden star ids and that {@code executors} distinct executors prefilled blocks. */
    JsonNode verify(String stdout, int executors) throws IOException {
        JsonNode json = result(stdout);
        assertEquals(starIds, ids(json), "generated ids vs golden star ids: " + json);
        JsonNode stats = json.get("stats");
        int contextTokens = json.get("context_tokens").asInt();
        assertEquals(ceilDiv(contextTokens, blockSize), stats.get("blocks").asInt(), stats.toString());
        assertEquals(ceilDiv(contextTokens, PAGE_SIZE), stats.get("pages").asInt(), stats.toString());
        assertEquals(executors, stats.get("executors").asInt(), "distinct executors that ran blocks: " + stats);
        assertEquals(kvBytes(contextTokens), stats.get("kv_bytes_written").asLong(), stats.toString());
        assertFalse(stats.get("prefill_reused").asBoolean(), "phase 1 must run, not reuse: " + stats);
        return json;
    }

    static List<Integer> ids(JsonNode json) {
        return StreamSupport.stream(json.get("ids").spliterator(), false).map(JsonNode::asInt).collect(Collectors.toList());
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }
}
