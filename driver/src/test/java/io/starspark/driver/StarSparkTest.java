package io.starspark.driver;

import static io.starspark.driver.Cli.KERNELS;
import static io.starspark.driver.Cli.MODEL;
import static io.starspark.driver.Cli.assertUserError;
import static io.starspark.driver.Cli.ints;
import static io.starspark.driver.Cli.run;
import static io.starspark.driver.RunCommandTest.JSON;
import static io.starspark.driver.RunCommandTest.SHORT_DOC;
import static io.starspark.driver.RunCommandTest.assertCommitted;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.starspark.errors.UserError;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DataFrame API and {@code run} over it on local[2]: the same input through the API, through {@code run}
 * with JSONL and with Parquet, and through per-question {@code generate}, gives the same answers (and the
 * golden Star ids); run-time failures fail only their rows; malformed tables fail before any work.
 */
class StarSparkTest {
    static final StructType INPUT = new StructType()
            .add("id", DataTypes.StringType)
            .add("document", DataTypes.StringType)
            .add("document_path", DataTypes.StringType)
            .add("questions", DataTypes.createArrayType(DataTypes.StringType))
            .add("chat", DataTypes.BooleanType);

    @TempDir
    Path tmp;

    private static SparkSession session(String kv) {
        return Spark.session("StarSparkTest", "local[2]", settings(kv), java.util.Map.of(), 60);
    }

    private static StarSettings settings(String kv) {
        return StarSettings.from(Map.of("spark.starspark.model", MODEL, "spark.starspark.blockSize", "64",
                "spark.starspark.anchorSize", "64", "spark.starspark.pageSize", "16", "spark.starspark.kvDir", kv,
                "spark.starspark.kernels", KERNELS));
    }

    private String kv(String name) {
        return tmp.resolve(name).toUri().toString();
    }

    /** The golden document with two questions, and a one-block document with two questions. */
    private static List<Row> goldenRows(JsonNode golden) {
        return List.of(
                RowFactory.create("lily", golden.get("context_text").asText(), null,
                        List.of(golden.get("question").asText(), " Her mom"), null),
                RowFactory.create("tom", SHORT_DOC, null, List.of(" Tom", " The dog"), null));
    }

    /** (id + question) -> ids, from JSON rows. */
    private static Map<String, List<Integer>> answers(List<JsonNode> rows) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            assertTrue(!r.has("error"), r.toString());
            List<Integer> ids = new ArrayList<>();
            r.get("ids").forEach(i -> ids.add(i.asInt()));
            out.put(r.get("id").asText() + "|" + r.get("question").asText(), ids);
        }
        return out;
    }

    private static Map<String, List<Integer>> answersOfRows(List<Row> rows) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        for (Row r : rows) {
            assertNull(r.getAs("error"), r.toString());
            out.put(r.getAs("id") + "|" + r.getAs("question"), r.getList(r.fieldIndex("ids")));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> questions(Row input) {
        return (List<String>) input.get(3);
    }

    private String[] runArgs(String input, String output, String kv, String... extra) {
        String[] base = {"run", "--model", MODEL, "--input", input, "--output", output, "--max-new-tokens", "24",
            "--block-size", "64", "--anchor-size", "64", "--page-size", "16", "--kv-dir", kv, "--kernels", KERNELS,
            "--master", "local[2]", "--quiet"};
        return Stream.concat(Stream.of(base), Stream.of(extra)).toArray(String[]::new);
    }

    @Test
    void apiRunJsonlRunParquetAndGenerateGiveTheSameAnswers() throws Exception {
        JsonNode golden = Cli.goldenStarCase();
        List<Row> input = goldenRows(golden);
        Path parquet = tmp.resolve("in.parquet");
        List<Row> fromApi;
        SparkSession spark = session(kv("kv-api"));
        try {
            Dataset<Row> docs = spark.createDataFrame(input, INPUT).drop("document_path", "chat");
            docs.write().parquet(parquet.toString());
            StarSpark star = StarSpark.builder(spark).model(MODEL).maxNewTokens(24).build();
            JobsByGroup jobs = new JobsByGroup();
            spark.sparkContext().addSparkListener(jobs);
            Dataset<Row> answers = star.answer(docs);
            assertEquals(StarSpark.schema(), answers.schema());
            fromApi = answers.collectAsList();
            spark.sparkContext().listenerBus().waitUntilEmpty();
            // phase 1 of both documents is ONE job, a task per block (5 + 1); the answers are one job of
            // 4 tasks per core, at most one per question
            // reading and tokenizing both documents is ONE job on the executors, as many tasks as the answers'
            assertEquals(List.of(StarSpark.answerPartitions(2, 2)), jobs.tasks(Progress.DOCUMENTS), "document jobs");
            assertEquals(List.of(6), jobs.tasks(Progress.PHASE1), "phase-1 jobs (tasks each)");
            assertEquals(List.of(StarSpark.answerPartitions(4, 2)), jobs.tasks(Progress.ANSWERS), "answer jobs");
            assertEquals(4, StarSpark.answerPartitions(4, 2));
            assertEquals(8, StarSpark.answerPartitions(100, 2));
            assertEquals(1, StarSpark.answerPartitions(0, 2));
        } finally {
            spark.stop();
        }
        assertEquals(4, fromApi.size());
        Row first = fromApi.get(0);
        assertArrayEquals(ints(golden.get("star").get("ids")),
                first.getList(first.fieldIndex("ids")).stream().mapToInt(i -> (Integer) i).toArray(), "golden star ids");
        assertEquals(golden.get("star").get("text").asText(), first.getAs("answer"));
        Row stats = first.getStruct(first.fieldIndex("stats"));
        assertEquals("star", stats.getAs("attention"));
        assertTrue(((String) stats.getAs("answered_on")).startsWith("executor "), stats.toString());
        assertEquals(5, (int) stats.getAs("blocks"));

        // JSONL with a UTF-8 byte order mark, document order and question order kept
        StringBuilder jsonl = new StringBuilder("\uFEFF");
        for (Row r : input) {
            jsonl.append(JSON.writeValueAsString(Map.of("id", r.getString(0), "document", r.getString(1),
                    "questions", questions(r)))).append('\n');
        }
        Path in = Files.writeString(tmp.resolve("in.jsonl"), jsonl, StandardCharsets.UTF_8);
        Cli.Result j = run(runArgs(in.toString(), tmp.resolve("out-jsonl").toString(), kv("kv-jsonl")));
        assertEquals(0, j.code(), j.err());
        assertCommitted(tmp.resolve("out-jsonl"), ".json");

        Path outParquet = tmp.resolve("out.parquet");
        Cli.Result p = run(runArgs(parquet.toString(), outParquet.toString(), kv("kv-parquet")));
        assertEquals(0, p.code(), p.err());
        assertCommitted(outParquet, ".parquet");
        List<Row> fromParquet;
        spark = session(kv("kv-read"));
        try {
            fromParquet = spark.read().parquet(outParquet.toString()).collectAsList();
            assertEquals(StarSpark.schema().fieldNames().length, spark.read().parquet(outParquet.toString())
                    .schema().fieldNames().length);
        } finally {
            spark.stop();
        }

        Map<String, List<Integer>> expected = new LinkedHashMap<>();
        Path doc = tmp.resolve("doc.txt");
        for (Row r : input) {
            Files.writeString(doc, r.getString(1), StandardCharsets.UTF_8);
            for (Object question : questions(r)) {
                Cli.Result g = run("generate", "--model", MODEL, "--context-file", doc.toString(), "--question",
                        (String) question, "--attention", "star", "--block-size", "64", "--anchor-size", "64",
                        "--page-size", "16", "--max-new-tokens", "24", "--kv-dir", kv("kv-generate"),
                        "--kernels", KERNELS, "--master", "local[2]", "--json");
                assertEquals(0, g.code(), g.err());
                List<Integer> ids = new ArrayList<>();
                JSON.readTree(g.out()).get("ids").forEach(i -> ids.add(i.asInt()));
                expected.put(r.getString(0) + "|" + question, ids);
            }
        }
        assertEquals(expected, answersOfRows(fromApi), "API = generate");
        assertEquals(expected, answers(RunCommandTest.rows(tmp.resolve("out-jsonl"))), "run JSONL = generate");
        assertEquals(expected, answersOfRows(fromParquet), "run Parquet = generate");
    }

    @Test
    void runtimeFailuresFailOnlyTheirRows() throws IOException {
        JsonNode golden = Cli.goldenStarCase();
        Path story = Files.writeString(tmp.resolve("story.txt"), SHORT_DOC, StandardCharsets.UTF_8);
        String corruptText = "Sue saw a big cat. The cat sat on the mat and Sue laughed.";
        SparkSession spark = session(kv("kv"));
        try {
            StarSpark star = StarSpark.builder(spark).model(MODEL).maxNewTokens(8).maxContextTokens(100).build();
            // prefill the document whose K/V is damaged below
            List<Row> before = star.answer(spark.createDataFrame(List.of(
                    RowFactory.create("sue", corruptText, null, List.of(" Sue"), null)), INPUT)).collectAsList();
            assertNull(before.get(0).getAs("error"));
            String kvRoot = before.get(0).getStruct(before.get(0).fieldIndex("stats")).getAs("kv_root");
            try (Stream<Path> blocks = Files.walk(Path.of(java.net.URI.create(kvRoot)))) {
                for (Path block : blocks.filter(f -> f.getFileName().toString().endsWith(".kv")).toList()) {
                    Files.write(block, new byte[] {1, 2, 3});
                }
            }
            List<Row> rows = star.answer(spark.createDataFrame(List.of(
                    RowFactory.create("tom", SHORT_DOC, null, List.of(" Tom"), null),
                    RowFactory.create("from-path", null, story.toString(), List.of(" Tom"), null),
                    RowFactory.create("missing-path", null, tmp.resolve("nope.txt").toString(), List.of(" Tom", " A"), null),
                    RowFactory.create("too-long", golden.get("context_text").asText(), null, List.of(" Lily"), null),
                    RowFactory.create("sue", corruptText, null, List.of(" Sue"), null),
                    RowFactory.create("chat", SHORT_DOC, null, List.of(" Tom"), true)), INPUT)).collectAsList();
            assertEquals(7, rows.size());
            Map<String, String> errors = new LinkedHashMap<>();
            rows.forEach(r -> errors.merge((String) r.getAs("id"), String.valueOf((Object) r.getAs("error")),
                    (a, b) -> a + " / " + b));
            assertEquals("null", errors.get("tom"), errors.toString());
            assertEquals("null", errors.get("from-path"), "document_path read from the FileSystem " + errors);
            assertEquals(rows.get(0).getList(rows.get(0).fieldIndex("ids")),
                    rows.get(1).getList(rows.get(1).fieldIndex("ids")), "same text by path or inline");
            assertEquals("document_path: file not found: " + tmp.resolve("nope.txt") + " / document_path: file not found: "
                    + tmp.resolve("nope.txt"), errors.get("missing-path"));
            assertTrue(errors.get("too-long").matches("document has \\d+ tokens, more than the job's maxContextTokens 100"),
                    errors.get("too-long"));
            assertTrue(errors.get("sue").contains(kvRoot.replaceFirst("^file:", "").replaceFirst("^//", "")
                    .replaceAll("/+$", "")) || errors.get("sue").contains("block"), errors.get("sue"));
            assertTrue(errors.get("chat").contains("has no chat template (tokenizer.chat_template)"), errors.get("chat"));
            for (Row r : rows) {
                if (r.getAs("error") != null) {
                    assertNull(r.getAs("answer"), r.toString());
                    assertNull(r.getAs("ids"), r.toString());
                } else {
                    assertNotNull(r.getAs("answer"), r.toString());
                }
            }
        } finally {
            spark.stop();
        }
    }

    @Test
    void documentPathsAreReadAndTokenizedInExecutorTasks() throws IOException {
        Path story = Files.writeString(tmp.resolve("story.txt"), SHORT_DOC, StandardCharsets.UTF_8);
        Path blank = Files.writeString(tmp.resolve("blank.txt"), " \n", StandardCharsets.UTF_8);
        String missing = TaskSideFileSystem.uri(tmp.resolve("nope.txt"));
        String fsImpl = "spark.hadoop.fs." + TaskSideFileSystem.SCHEME + ".impl";
        String inTask = " <- task of " + Progress.DOCUMENTS;
        List<Row> rows;
        SparkSession spark = Spark.session("StarSparkTest", "local[2]", settings(kv("kv-api")),
                Map.of(fsImpl, TaskSideFileSystem.class.getName()), 60);
        try {
            TaskSideFileSystem.drain();
            StarSpark star = StarSpark.builder(spark).model(MODEL).maxNewTokens(24).build(); // as runArgs
            rows = star.answer(spark.createDataFrame(List.of(
                    RowFactory.create("inline", SHORT_DOC, null, List.of(" Tom"), null),
                    RowFactory.create("by-path", null, TaskSideFileSystem.uri(story), List.of(" Tom", " The"), null),
                    RowFactory.create("blank", null, TaskSideFileSystem.uri(blank), List.of(" Tom"), null),
                    RowFactory.create("missing", null, missing, List.of(" Tom"), null)), INPUT)).collectAsList();
            // local[2]: the two paths' tasks may open them in either order; each exactly once, in a task
            assertEquals(Stream.of(story.toAbsolutePath() + inTask, blank.toAbsolutePath() + inTask).sorted().toList(),
                    TaskSideFileSystem.drain().stream().sorted().toList(),
                    "each document_path opened once, in a task of the documents job");
        } finally {
            spark.stop();
        }
        assertEquals(5, rows.size());
        assertEquals(List.of("inline", "by-path", "by-path", "blank", "missing"),
                rows.stream().map(r -> (String) r.getAs("id")).toList(), "input order");
        assertNull(rows.get(0).getAs("error"), rows.get(0).toString());
        assertNull(rows.get(1).getAs("error"), rows.get(1).toString());
        assertNull(rows.get(2).getAs("error"), rows.get(2).toString());
        assertEquals(rows.get(0).getList(rows.get(0).fieldIndex("ids")), rows.get(1).getList(rows.get(1).fieldIndex("ids")),
                "same text by path or inline");
        assertEquals("document_path " + TaskSideFileSystem.uri(blank) + " is empty", rows.get(3).getAs("error"));
        assertEquals("document_path: file not found: " + missing, rows.get(4).getAs("error"));

        // run (JSONL) goes the same way: the document_path is opened in a task of the documents job
        Path in = Files.writeString(tmp.resolve("in.jsonl"), JSON.writeValueAsString(Map.of("id", "by-path",
                "document_path", TaskSideFileSystem.uri(story), "questions", List.of(" Tom"))) + "\n",
                StandardCharsets.UTF_8);
        Cli.Result r = run(runArgs(in.toString(), tmp.resolve("out").toString(), kv("kv-run"), "-c",
                fsImpl + "=" + TaskSideFileSystem.class.getName()));
        assertEquals(0, r.code(), r.err());
        assertEquals(List.of(story.toAbsolutePath() + inTask), TaskSideFileSystem.drain());
        List<JsonNode> written = RunCommandTest.rows(tmp.resolve("out"));
        assertEquals(rows.get(1).getList(rows.get(1).fieldIndex("ids")), answers(written).get("by-path| Tom"),
                "run = API");
    }

    @Test
    void aQuestionWithNoTokensIsMalformedInputAndOtherFailuresFailTheirRows() {
        DocumentTable.Input in = new DocumentTable.Input(3, "a", "Once", null, List.of(" Tom"), false);
        StarSettings s = settings("file:///unused");
        UserError e = org.junit.jupiter.api.Assertions.assertThrows(UserError.class, () -> StarSpark.Document.of(in,
                new DocumentTask.Tokens(null, List.of(), null, "row 3: questions[0] has no tokens"), s, null, 8));
        assertEquals("row 3: questions[0] has no tokens", e.getMessage());
        StarSpark.Document failed = StarSpark.Document.of(in, DocumentTask.Tokens.failed("document has 9 tokens"), s,
                null, 8);
        assertEquals("document has 9 tokens", failed.error());
        assertEquals(List.of(), failed.requests());
    }

    /** Writes a Parquet table with the given schema and rows (then stops the session). */
    private void parquet(Path path, StructType schema, Row... rows) {
        SparkSession spark = session(kv("kv"));
        try {
            spark.createDataFrame(List.of(rows), schema).write().parquet(path.toString());
        } finally {
            spark.stop();
        }
    }

    @Test
    void malformedInputFailsBeforeAnyWorkInEachFormat() throws IOException {
        Path out = tmp.resolve("out");
        String kv = kv("kv");

        Path csv = Files.writeString(tmp.resolve("docs.jsonl"), "id,document,questions\na,Once,x\n");
        assertUserError(run(runArgs(csv.toString(), out.toString(), kv)),
                csv + " row 1: not a valid JSON object: id,document,questions");

        Path wrongType = Files.writeString(tmp.resolve("wrong.jsonl"),
                "{\"id\": \"a\", \"document\": \"Once\", \"questions\": \" Lily\"}\n");
        assertUserError(run(runArgs(wrongType.toString(), out.toString(), kv)),
                wrongType + ": column questions must be an array of strings (is string)");

        Path notParquet = Files.writeString(tmp.resolve("text.parquet"), "this is not parquet\n".repeat(10));
        String message = Cli.userErrorMessage(run(runArgs(notParquet.toString(), out.toString(), kv)));
        assertTrue(message.startsWith(notParquet + " is not readable as parquet: "), message);

        Path noQuestions = tmp.resolve("noq.parquet");
        parquet(noQuestions, new StructType().add("id", DataTypes.StringType).add("document", DataTypes.StringType),
                RowFactory.create("a", "Once"));
        assertUserError(run(runArgs(noQuestions.toString(), out.toString(), kv)),
                noQuestions + " needs columns id, document (or document_path) and questions; it has id, document");

        Path intId = tmp.resolve("intid.parquet");
        parquet(intId, new StructType().add("id", DataTypes.IntegerType).add("document", DataTypes.StringType)
                .add("questions", DataTypes.createArrayType(DataTypes.StringType)), RowFactory.create(7, "Once",
                List.of(" Lily")));
        assertUserError(run(runArgs(intId.toString(), out.toString(), kv)),
                intId + ": column id must be a string (is int)");

        assertTrue(!Files.exists(out) && !Files.exists(tmp.resolve("kv")), "nothing written, no K/V");
    }

    /** Tasks of each Spark job, by job group. */
    static final class JobsByGroup extends org.apache.spark.scheduler.SparkListener {
        private final Map<String, List<Integer>> tasks = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void onJobStart(org.apache.spark.scheduler.SparkListenerJobStart job) {
            String group = job.properties() == null ? null : job.properties().getProperty("spark.jobGroup.id");
            if (group != null) {
                int n = 0;
                for (int i = 0; i < job.stageInfos().size(); i++) {
                    n += job.stageInfos().apply(i).numTasks();
                }
                tasks.computeIfAbsent(group, g -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(n);
            }
        }

        List<Integer> tasks(String group) {
            return tasks.getOrDefault(group, List.of());
        }
    }
}
