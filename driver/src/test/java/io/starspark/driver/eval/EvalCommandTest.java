package io.starspark.driver.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.driver.Main;
import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRequest;
import io.starspark.driver.star.StarRunner;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kv.KvDtype;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.model.Tokenizer;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code starspark eval} end to end on tiny deterministic plans (local[1]): the report's numbers are the answers
 * that direct calls of the answer path give, sparse with every page equals star, and the charts are PNGs.
 */
class EvalCommandTest {
    static final Path SHARED = Path.of(System.getProperty("starspark.shared", "../../shared"));
    static final String NEEDLE = SHARED.resolve("models/needle-retriever.gguf").toString();
    static final String STORIES = SHARED.resolve("models/stories260K.gguf").toString();
    static final String KERNELS = System.getProperty("test.kernels", "java");

    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {
    }

    static Run eval(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true)),
                args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void needleReportHoldsWhatDirectAnswersGive() throws IOException {
        Path out = tmp.resolve("needle");
        Run r = eval("eval", "--model", NEEDLE, "--suite", "needle", "--out", out.toString(), "--lengths", "256",
                "--depths", "30,80", "--trials", "2", "--budgets", "10,100", "--page-size", "16", "--seed", "5",
                "--master", "local[1]", "--kv-dir", tmp.resolve("kv").toUri().toString(), "--kernels", KERNELS);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("eval: needle plan: lengths [256] × depths [30, 80]% × 2 trials = 4 documents "
                + "(seed 5), modes [full, star, sparse@10%, sparse@100%] (full up to 4096 tokens): 16 answers, 2 cells;"
                + " estimated"), r.err());
        assertEquals(2, r.err().lines().filter(l -> l.startsWith("eval: [")).count(), r.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        String report = Files.readString(out.resolve("report.md"));

        LlamaModel model = ModelRegistry.get(NEEDLE);
        Tokenizer tok = model.tokenizer();
        Generator full = new Generator(model, KernelBackends.select(KernelsChoice.valueOf(KERNELS.toUpperCase())));
        int correctStar = 0;
        try (JavaSparkContext jsc = spark()) {
            for (JsonNode doc : results.get("documents")) {
                Haystack h = Haystack.make(Path.of(NEEDLE + ".vocab.json"), doc.get("seed").asLong(), 255,
                        doc.get("depth_percent").asDouble() / 100);
                int[] context = tok.encode(h.text(), true, true);
                int[] question = tok.encode(h.question(), false, false);
                int value = tok.encode(" " + h.value(), false, false)[0];
                assertEquals(256, context.length);
                assertEquals(256, doc.get("context_tokens").asInt());
                JsonNode answers = doc.get("answers");
                assertEquals(4, answers.size());
                // block = anchor = 256 / 4 = 64, pages of 16: 16 pages; 10% -> 2 pages, raised to the least
                // budget of 1 sink + 1 local + top-1; 100% -> 16 pages = 1 sink + 1 local + top-14
                int[] direct0 = full.generate(IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray(),
                        1, Sampler.greedy()).ids();
                int[] direct1 = StarRunner.answer(jsc, request(context, question, null), Sampler.greedy()).ids();
                StarAnswer sparse10 = StarRunner.answer(jsc, request(context, question, new SparseSettings(1, 1, 1)),
                        Sampler.greedy());
                int[] direct3 = StarRunner.answer(jsc, request(context, question, new SparseSettings(14, 1, 1)),
                        Sampler.greedy()).ids();
                int[][] direct = {direct0, direct1, sparse10.ids(), direct3};
                String[] labels = {"full", "star", "sparse@10%", "sparse@100%"};
                for (int m = 0; m < 4; m++) {
                    JsonNode a = answers.get(m);
                    assertEquals(labels[m], a.get("mode").asText());
                    int[] ids = new ObjectMapper().convertValue(a.get("answer_ids"), int[].class);
                    assertArrayEquals(direct[m], ids, labels[m] + " at seed " + doc.get("seed"));
                    assertEquals(direct[m].length == 1 && direct[m][0] == value, a.get("correct").asBoolean());
                }
                assertEquals(3 / 16.0, answers.get(2).get("budget_fraction").asDouble(), "3 of 16 pages");
                assertEquals(1, answers.get(2).get("top_k").asInt());
                assertEquals(false, answers.get(1).get("stats").get("prefill_reused").asBoolean(), "star prefills");
                assertEquals(true, answers.get(2).get("stats").get("prefill_reused").asBoolean(), "sparse reuses");
                assertEquals(true, answers.get(3).get("stats").get("prefill_reused").asBoolean(), "sparse reuses");
                correctStar += direct1.length == 1 && direct1[0] == value ? 1 : 0;
            }
        }
        int starCells = 0;
        int starCorrect = 0;
        for (JsonNode c : results.get("cells")) {
            if (c.get("mode").asText().equals("star")) {
                starCells++;
                starCorrect += c.get("correct").asInt();
            }
        }
        assertEquals(2, starCells);
        assertEquals(correctStar, starCorrect);
        JsonNode starSummary = results.get("modes").get(1);
        assertEquals("star", starSummary.get("mode").asText());
        assertEquals(correctStar / 4.0, starSummary.get("accuracy").asDouble());
        assertTrue(report.contains("| star | " + correctStar + " | 4 | " + Report.percent(correctStar / 4.0) + " |"),
                report);
        assertTrue(report.contains("![star](needle-star.png)"), report);
        assertPng(out.resolve("needle-star.png"), Plots.WIDTH, Plots.HEIGHT);
        assertPng(out.resolve("needle-sparse-10pct.png"), Plots.WIDTH, Plots.HEIGHT);
    }

    @Test
    void sparseWithEveryPageAgreesWithStarAndRecallsAllMass() throws IOException {
        Path out = tmp.resolve("agreement");
        Run r = eval("eval", "--model", STORIES, "--suite", "agreement", "--out", out.toString(), "--documents", "1",
                "--context-tokens", "128", "--page-size", "16", "--budgets", "50,100", "--max-new-tokens", "4",
                "--master", "local[1]", "--kv-dir", tmp.resolve("kv").toUri().toString(), "--kernels", KERNELS);
        assertEquals(0, r.code(), r.err());
        JsonNode modes = new ObjectMapper().readTree(out.resolve("results.json").toFile()).get("modes");
        assertEquals("full", modes.get(0).get("mode").asText());
        assertEquals(1.0, modes.get(0).get("top1_agreement").asDouble(), "full agrees with itself");
        assertEquals(0.0, modes.get(0).get("kl_mean").asDouble());
        JsonNode star = modes.get(1);
        JsonNode half = modes.get(2);
        JsonNode all = modes.get(3);
        assertEquals("sparse@100%", all.get("mode").asText());
        assertEquals(1.0, all.get("recall_mean").asDouble(), 1e-12);
        assertEquals(1.0, all.get("recall_min_layer_head").asDouble(), 1e-12);
        assertEquals(1.0, all.get("top1_agreement_with_star").asDouble());
        assertEquals(star.get("top1_agreement").asDouble(), all.get("top1_agreement").asDouble());
        assertEquals(star.get("kl_mean").asDouble(), all.get("kl_mean").asDouble(), 1e-6);
        assertEquals(1.0, all.get("budget_fraction").asDouble());
        assertEquals(0.5, half.get("budget_fraction").asDouble(), "4 of 8 pages");
        double halfRecall = half.get("recall_mean").asDouble();
        assertTrue(halfRecall > 0 && halfRecall <= 1, "recall " + halfRecall);
        assertEquals(5 * 8, countLeaves(half.get("recall_per_layer_head")), "5 layers × 8 heads");
        assertPng(out.resolve("agreement.png"), Plots.WIDTH, Plots.HEIGHT);
        assertPng(out.resolve("bytes.png"), Plots.WIDTH, Plots.HEIGHT);
    }

    @Test
    void attentionFlagIsAUserError() {
        Run r = eval("eval", "--model", NEEDLE, "--suite", "needle", "--out", tmp.toString(), "--attention", "star");
        assertEquals(2, r.code());
        assertEquals("starspark: error: eval runs every mode of --modes; --attention does not apply",
                r.err().strip());
    }

    @Test
    void klIsZeroForEqualLogitsAndPositiveOtherwise() {
        float[] p = {1f, 2f, 3f};
        assertEquals(0.0, AgreementSuite.kl(p, p), 1e-15);
        // KL(p||q) of softmax([0, ln 3]) = (1/4, 3/4) against uniform (1/2, 1/2)
        double expected = 0.25 * Math.log(0.5) + 0.75 * Math.log(1.5);
        assertEquals(expected, AgreementSuite.kl(new float[] {0f, (float) Math.log(3)}, new float[] {0f, 0f}), 1e-6);
    }

    private static int countLeaves(JsonNode matrix) {
        int n = 0;
        for (JsonNode row : matrix) {
            n += row.size();
        }
        return n;
    }

    /** The PNG signature, then the IHDR chunk with the expected width and height. */
    static void assertPng(Path png, int width, int height) throws IOException {
        try (InputStream in = Files.newInputStream(png); DataInputStream d = new DataInputStream(in)) {
            byte[] sig = new byte[8];
            d.readFully(sig);
            assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}, sig, png.toString());
            assertEquals(13, d.readInt(), "IHDR length");
            byte[] type = new byte[4];
            d.readFully(type);
            assertEquals("IHDR", new String(type, java.nio.charset.StandardCharsets.US_ASCII));
            assertEquals(width, d.readInt());
            assertEquals(height, d.readInt());
        }
        assertTrue(Files.size(png) > 1000, png + " holds a picture");
    }

    StarRequest request(int[] context, int[] question, SparseSettings sparse) {
        return StarRequest.builder().model(NEEDLE).context(context).question(question).maxNewTokens(1)
                .blocks(64, 64, 16).kvDir(tmp.resolve("direct-kv").toUri().toString()).dtype(KvDtype.F32)
                .kernels(KernelsChoice.valueOf(KERNELS.toUpperCase())).sparse(sparse).partitions(1).build();
    }

    static JavaSparkContext spark() {
        SparkConf conf = new SparkConf().setMaster("local[1]").setAppName("starspark-eval-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        StarSparkConf.configure(conf, StarSettings.defaults());
        return new JavaSparkContext(conf);
    }
}
