package io.starspark.driver.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.driver.Answerer;
import io.starspark.driver.Main;
import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRequest;
import io.starspark.driver.star.StarRunner;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.model.Tokenizer;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarKeys;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
        assertTrue(r.err().contains("eval: agreement plan: 1 documents ([128] tokens) × modes [full, star, sparse@50%, "
                + "sparse@100%] (seed 1): per document a 4-token teacher from full attention, one teacher-forced pass "
                + "and 2 free-running answers per mode (the faster one timed); estimated "), r.err());
        assertTrue(r.err().contains("; the first document's phase 1 took "), r.err());
        assertEquals(4, r.err().lines().filter(l -> l.startsWith("eval: [1/1] generated-0, ")).count(), r.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        String report = Files.readString(out.resolve("report.md"));
        assertTrue(report.contains(" in all; the planned runs " + Report.duration(results.get("planned_seconds")
                .asDouble()) + " (estimated " + Report.duration(results.get("estimated_seconds").asDouble()) + ")\n"),
                report);
        JsonNode modes = results.get("modes");
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

    /** A document of about 250 stories260K tokens. */
    static final String STORY = "Once upon a time, there was a little girl named Lily. She loved to play outside in "
            + "the park with her friend Tom. One day, they saw a big red ball under a tree. Lily wanted to kick the "
            + "ball, but Tom said, \"Wait, it is not our ball.\" They looked around and saw a small boy who was "
            + "crying. The boy said he lost his ball. Lily and Tom gave the ball back to the boy. The boy smiled and "
            + "said thank you. They all played together until the sun went down.";

    /**
     * The one-pass teacher forcing against its reference twin, step by step: full attention answers the question
     * followed by the first i teacher tokens for each step i (the teacher being full's own argmax), and so does
     * every mode, each step a separate answer through the answer path. Reference kernels compute every row on its
     * own, so the numbers must be equal, not close.
     */
    @Test
    void agreementInOnePassEqualsStepByStepAnswers() throws IOException {
        Path story = tmp.resolve("story.txt");
        Files.writeString(story, STORY);
        Path out = tmp.resolve("one-pass");
        int maxSteps = 8;
        Run r = eval("eval", "--model", STORIES, "--suite", "agreement", "--out", out.toString(), "--context-file",
                story.toString(), "--page-size", "16", "--budgets", "25,100", "--max-new-tokens",
                Integer.toString(maxSteps), "--master", "local[1]", "--kv-dir", tmp.resolve("kv").toUri().toString(),
                "--kernels", "reference");
        assertEquals(0, r.code(), r.err());
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());

        LlamaModel model = ModelRegistry.get(STORIES);
        Tokenizer tok = model.tokenizer();
        int[] context = tok.encode(STORY, true, true);
        int[] question = tok.encode(" Lily", false, false);
        StarSettings base = StarSettings.from(Map.of(StarKeys.MODEL.key(), STORIES, StarKeys.PAGE_SIZE.key(), "16",
                StarKeys.KERNELS.key(), "reference", StarKeys.KV_DIR.key(), tmp.resolve("twin-kv").toUri().toString()));
        Mode.Blocks blocks = new Mode.Blocks(0.25, 0, 0);
        List<Mode> modes = List.of(Mode.FULL, Mode.STAR, Mode.sparse(25), Mode.sparse(100));
        try (JavaSparkContext jsc = spark()) {
            // the twin's teacher: full's argmax, one full answer per step
            List<float[]> full = new ArrayList<>();
            List<Integer> teacher = new ArrayList<>();
            for (int i = 0; i < maxSteps; i++) {
                float[] logits = answer(jsc, model, Mode.FULL.settings(base, blocks, context.length), context,
                        twinPrompt(question, teacher, i)).firstLogits();
                full.add(logits);
                if (Sampler.argmax(logits) == tok.eos()) {
                    break;
                }
                teacher.add(Sampler.argmax(logits));
            }
            int steps = full.size();
            JsonNode doc = results.get("documents").get(0);
            assertEquals(steps, doc.get("steps").asInt());
            assertArrayEquals(teacher.stream().mapToInt(Integer::intValue).toArray(),
                    new ObjectMapper().convertValue(doc.get("teacher_ids"), int[].class));
            assertEquals(0, doc.get("teacher_not_argmax").asInt());
            List<float[]> star = null;
            double sparseKl = 0;
            for (int mi = 0; mi < modes.size(); mi++) {
                Mode mode = modes.get(mi);
                StarSettings s = mode.settings(base, blocks, context.length);
                List<float[]> logits = new ArrayList<>();
                String kvRoot = null;
                for (int i = 0; i < steps; i++) {
                    Answerer.Answer a = answer(jsc, model, s, context, twinPrompt(question, teacher, i));
                    logits.add(a.firstLogits());
                    kvRoot = (String) a.stats().get("kv_root");
                }
                int agree = 0;
                int agreeStar = 0;
                double kl = 0;
                for (int i = 0; i < steps; i++) {
                    agree += Sampler.argmax(logits.get(i)) == Sampler.argmax(full.get(i)) ? 1 : 0;
                    agreeStar += star != null && Sampler.argmax(logits.get(i)) == Sampler.argmax(star.get(i)) ? 1 : 0;
                    kl += AgreementSuite.kl(full.get(i), logits.get(i));
                }
                JsonNode m = results.get("modes").get(mi);
                String label = mode.label();
                assertEquals(label, m.get("mode").asText());
                assertEquals(agree / (double) steps, m.get("top1_agreement").asDouble(), label);
                assertEquals(Sampler.argmax(logits.get(0)) == Sampler.argmax(full.get(0)) ? 1.0 : 0.0,
                        m.get("first_token_agreement").asDouble(), label);
                assertEquals(kl / steps, m.get("kl_mean").asDouble(), 0.0, label);
                if (mode.attention() == AttentionMode.STAR) {
                    star = logits;
                }
                if (mode.attention() == AttentionMode.SPARSE) {
                    assertEquals(agreeStar / (double) steps, m.get("top1_agreement_with_star").asDouble(), label);
                    double[][] recall = MassRecall.measure(model, s, kvRoot, jsc.hadoopConfiguration(),
                            context.length, twinPrompt(question, teacher, steps - 1), 64, 2);
                    assertEquals(AgreementSuite.mean(recall), m.get("recall_mean").asDouble(), 0.0, label);
                    sparseKl = Math.max(sparseKl, kl);
                }
            }
            assertTrue(sparseKl > 0, "a sparse budget that changes the logits, so that equality means something");
        }
    }

    /** [m + i] the question followed by the first {@code i} teacher tokens. */
    private static int[] twinPrompt(int[] question, List<Integer> teacher, int i) {
        return IntStream.concat(IntStream.of(question), teacher.subList(0, i).stream().mapToInt(Integer::intValue))
                .toArray();
    }

    private static Answerer.Answer answer(JavaSparkContext jsc, LlamaModel model, StarSettings s, int[] context,
                                          int[] question) {
        try (Answerer a = Answerer.over(jsc, model, s, 1, Sampler.greedy(), false)) {
            return a.answer(context, question);
        }
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
