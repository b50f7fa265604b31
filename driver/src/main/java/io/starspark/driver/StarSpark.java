package io.starspark.driver;

import io.starspark.driver.star.PrefillReport;
import io.starspark.driver.star.StarPrefill;
import io.starspark.driver.star.StarRequest;
import io.starspark.driver.star.StarRunner;
import io.starspark.errors.UserError;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DataFrame API: answers every question of a table of documents with Star Attention on the cluster.
 *
 * <pre>{@code
 * StarSpark star = StarSpark.builder(spark).model("hdfs:///models/stories260K.gguf")
 *         .setting("spark.starspark.blockSize", "64").maxNewTokens(32).build();
 * Dataset<Row> answers = star.answer(spark.read().parquet("hdfs:///docs.parquet"));
 * }</pre>
 *
 * <p>Input columns: {@code id} (string), {@code document} (string) or {@code document_path} (string, a
 * local path or Hadoop URI, read by an executor task), {@code questions} (array of strings), optional {@code chat}
 * (boolean). Output ({@link #schema()}): one row per question, {@code id, question, answer, ids, error,
 * stats}, documents in input order. One Spark job (group {@code starspark-documents}) reads and tokenizes the
 * documents on the executors; the driver plans with the ids it collects; phase 1 of every document runs on the
 * executors as ONE Spark job (job group {@code starspark-phase1}, the blocks of all documents as its tasks);
 * then one Spark job (group {@code starspark-answers}) answers all questions on the executors, each task a
 * run of consecutive questions reading their documents' K/V from the store ({@link StarRunner#decode}). A document that fails at run time (unreadable {@code document_path},
 * corrupt stored K/V, longer than {@code maxContextTokens}) gives rows with {@code error} set and no answer;
 * the other rows complete. A table malformed as a whole is a {@link UserError} before any work.
 */
public final class StarSpark {
    private static final Logger LOG = LoggerFactory.getLogger(StarSpark.class);

    private final SparkSession spark;
    private final StarSettings settings;
    private final int maxNewTokens;
    private final int maxContextTokens;
    private final boolean reprefill;
    private final boolean answerOnDriver;

    private StarSpark(SparkSession spark, StarSettings settings, int maxNewTokens, int maxContextTokens,
                      boolean reprefill, boolean answerOnDriver) {
        this.spark = spark;
        this.settings = settings;
        this.maxNewTokens = maxNewTokens;
        this.maxContextTokens = maxContextTokens;
        this.reprefill = reprefill;
        this.answerOnDriver = answerOnDriver;
    }

    public static Builder builder(SparkSession spark) {
        return new Builder(spark);
    }

    /** The output rows' schema: {@code id, question, answer, ids, error, stats} (stats: {@link Stats#SCHEMA}). */
    public static StructType schema() {
        return AnswerTask.SCHEMA;
    }

    /** One row per question of {@code documents}; see the class comment. */
    public Dataset<Row> answer(Dataset<Row> documents) {
        return run(documents, "documents", Progress.SILENT).answers();
    }

    /** The answers with the run's counts. */
    record Batch(Dataset<Row> answers, List<Row> rows, Map<String, Object> summary) {
        long failedRows() {
            return rows.stream().filter(r -> !r.isNullAt(r.fieldIndex("error"))).count();
        }
    }

    /** @param source the input's name in messages (a path, or "documents") */
    Batch run(Dataset<Row> documents, String source, Progress progress) {
        long t0 = System.nanoTime();
        List<DocumentTable.Input> inputs = DocumentTable.collect(source, documents);
        Models.load(settings.model()); // a bad model file is named before any Spark job
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        progress.attach(jsc);
        try {
            List<Document> docs = documents(jsc, inputs);
            List<QuestionJob> jobs = settings.attention() == AttentionMode.FULL ? plan(docs, null, jsc)
                    : plan(docs, prefillAll(jsc, docs, progress), jsc);
            jsc.setJobGroup("starspark-answers", "answers: " + jobs.size() + " questions of " + docs.size()
                    + " documents (" + settings.attention() + ")", false);
            progress.answersStarted(jobs.size());
            List<Row> rows = answerOnDriver ? answerOnDriver(jobs) : jsc.parallelize(jobs.stream().map(JavaBytes::of).toList(),
                            answerPartitions(jobs.size(), jsc.defaultParallelism()))
                    .mapPartitions(new AnswerTask(jsc.sc().longAccumulator(AnswerTask.ANSWERED))).collect().stream()
                    .map(b -> JavaBytes.<Row>read(b)).toList();
            jsc.clearJobGroup();
            Dataset<Row> answers = spark.createDataFrame(rows, AnswerTask.SCHEMA);
            return new Batch(answers, rows, summary(docs, rows, (System.nanoTime() - t0) / 1e9));
        } finally {
            progress.detach(jsc);
        }
    }

    /** Benchmark baseline: the answer tasks' code, one question after another on the driver. */
    private static List<Row> answerOnDriver(List<QuestionJob> jobs) {
        try (StarRunner.Stores stores = new StarRunner.Stores()) {
            return jobs.stream().map(j -> AnswerTask.answer(j, Answerer.DRIVER, stores)).toList();
        }
    }

    /**
     * Phase 1 of every document that has no error yet, as one Spark job ({@link StarPrefill#runAll}; documents
     * with the same tokens once); returns each one's report (null for a document that failed).
     */
    private List<PrefillReport> prefillAll(JavaSparkContext jsc, List<Document> docs, Progress progress) {
        Map<String, Integer> slotOfDocId = new HashMap<>(); // equal documents share their K/V folder
        List<StarPrefill.Document> unique = new ArrayList<>();
        List<String> shown = new ArrayList<>(); // user data: control characters escaped in logs and the UI
        int[] slot = new int[docs.size()];
        for (int i = 0; i < docs.size(); i++) {
            Document d = docs.get(i);
            if (d.error() != null) {
                slot[i] = -1;
                continue;
            }
            StarRequest first = d.requests().get(0);
            slot[i] = slotOfDocId.computeIfAbsent(StarRunner.docId(first.context()), id -> {
                if (reprefill) {
                    StarRunner.forget(jsc, first);
                }
                unique.add(StarRunner.phase1(first));
                shown.add(Texts.printable(d.input().id()));
                return unique.size() - 1;
            });
        }
        long tokens = unique.stream().mapToLong(u -> u.context().length).sum();
        int blocks = unique.stream().mapToInt(u -> u.expected().plan().blockCount()).sum();
        jsc.setJobGroup(Progress.PHASE1, "phase 1 of " + unique.size() + " documents (" + tokens + " tokens, " + blocks
                + " blocks): " + String.join(", ", shown.subList(0, Math.min(shown.size(), 8)))
                + (shown.size() > 8 ? ", ..." : ""), false);
        List<StarPrefill.Outcome> outcomes;
        try {
            outcomes = StarPrefill.runAll(jsc, unique, docOfTask -> progress.phase1Planned(shown, tokens, blocks,
                    docOfTask));
        } finally {
            jsc.clearJobGroup();
        }
        List<PrefillReport> reports = new ArrayList<>();
        for (int i = 0; i < docs.size(); i++) {
            StarPrefill.Outcome o = slot[i] < 0 ? null : outcomes.get(slot[i]);
            if (o != null && o.error() != null) { // bad stored K/V or over maxKvBytes: only this document's rows fail
                LOG.warn("phase 1 of document '{}' failed: {}", Texts.printable(docs.get(i).input().id()),
                        ErrorContract.oneLine(o.error()));
                docs.set(i, docs.get(i).failed(ErrorContract.oneLine(o.error())));
            }
            reports.add(o == null ? null : o.report());
        }
        return reports;
    }

    /**
     * Tasks of the answer job: {@link #ANSWER_TASKS_PER_CORE} per executor core (consecutive questions, so
     * mostly of the same document, share a task and its start-up), enough that a slow task does not idle the
     * other cores; never more than the questions.
     */
    static int answerPartitions(int questions, int cores) {
        return Math.max(1, Math.min(questions, ANSWER_TASKS_PER_CORE * Math.max(1, cores)));
    }

    static final int ANSWER_TASKS_PER_CORE = 4;

    /** One job per question, in output order; reports null for full attention. */
    private List<QuestionJob> plan(List<Document> docs, List<PrefillReport> reports, JavaSparkContext jsc) {
        List<QuestionJob> jobs = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            Document doc = docs.get(d);
            List<String> questions = doc.input().questions();
            for (int q = 0; q < questions.size(); q++) {
                String id = doc.input().id();
                if (doc.error() != null) {
                    jobs.add(QuestionJob.failed(jobs.size(), id, questions.get(q), doc.error()));
                } else {
                    jobs.add(new QuestionJob(jobs.size(), id, questions.get(q), doc.requests().get(q),
                            reports == null ? null : reports.get(d), jsc.master(), null));
                }
            }
        }
        return jobs;
    }

    private Map<String, Object> summary(List<Document> docs, List<Row> rows, double seconds) {
        java.util.Set<String> prefilled = new java.util.HashSet<>(); // kv roots phase 1 ran for
        long generated = 0;
        int failed = 0;
        for (Row r : rows) {
            if (!r.isNullAt(r.fieldIndex("error"))) {
                failed++;
                continue;
            }
            Row stats = r.getStruct(r.fieldIndex("stats"));
            generated += stats.getInt(stats.fieldIndex("generated_tokens"));
            boolean full = stats.getString(stats.fieldIndex("attention")).equals("full");
            if (!full && !stats.getBoolean(stats.fieldIndex("prefill_reused"))) {
                prefilled.add(stats.getString(stats.fieldIndex("kv_root")));
            }
        }
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("documents", docs.size());
        summary.put("questions", rows.size());
        summary.put("failed_rows", failed);
        summary.put("prefills", prefilled.size());
        summary.put("generated_tokens", generated);
        summary.put("attention", settings.attention().name().toLowerCase(java.util.Locale.ROOT));
        summary.put("seconds", seconds);
        return summary;
    }

    /**
     * Every row read and tokenized on the executors, as ONE Spark job (group {@link Progress#DOCUMENTS},
     * {@link DocumentTask}: {@link #answerPartitions} tasks of consecutive rows); the driver only makes each
     * question's request from the ids that come back. A question with no tokens is a {@link UserError} (the first
     * one in input order) before any phase-1 work.
     */
    private List<Document> documents(JavaSparkContext jsc, List<DocumentTable.Input> inputs) {
        jsc.setJobGroup(Progress.DOCUMENTS, "read and tokenize " + inputs.size() + " documents", false);
        List<DocumentTask.Tokens> tokens;
        try {
            tokens = jsc.parallelize(inputs.stream().map(JavaBytes::of).toList(),
                            answerPartitions(inputs.size(), jsc.defaultParallelism()))
                    .mapPartitions(new DocumentTask(settings.requireModel(), maxContextTokens)).collect().stream()
                    .map(b -> JavaBytes.<DocumentTask.Tokens>read(b)).toList();
        } finally {
            jsc.clearJobGroup();
        }
        List<Document> docs = new ArrayList<>(inputs.size());
        for (int i = 0; i < inputs.size(); i++) {
            docs.add(Document.of(inputs.get(i), tokens.get(i), settings, jsc, maxNewTokens));
        }
        return docs;
    }

    /**
     * A document with one request per question, or the reason its rows fail.
     *
     * @param requests one per question (empty when {@code error} is set)
     */
    record Document(DocumentTable.Input input, List<StarRequest> requests, String error) {

        /** From the row's {@link DocumentTask.Tokens}; a question with no tokens is malformed input. */
        static Document of(DocumentTable.Input in, DocumentTask.Tokens tokens, StarSettings settings,
                           JavaSparkContext jsc, int maxNewTokens) {
            if (tokens.malformed() != null) {
                throw new UserError(tokens.malformed());
            }
            if (tokens.error() != null) {
                return new Document(in, List.of(), tokens.error());
            }
            List<StarRequest> requests = new ArrayList<>();
            for (int[] question : tokens.questions()) {
                requests.add(Answerer.request(settings, maxNewTokens, tokens.context(), question,
                        plan -> Spark.partitions(jsc, plan)));
            }
            return new Document(in, requests, null);
        }

        Document failed(String why) {
            return new Document(input, List.of(), why);
        }
    }

    /** Settings of a {@link StarSpark}: the session's {@code spark.starspark.*} values, then these. */
    public static final class Builder {
        private final SparkSession spark;
        private final Map<String, String> settings = new LinkedHashMap<>();
        private int maxNewTokens = 64;
        private int maxContextTokens;
        private boolean reprefill;
        private boolean answerOnDriver;

        private Builder(SparkSession spark) {
            this.spark = spark;
            spark.conf().getAll().foreach(kv -> {
                if (kv._1().startsWith("spark.starspark.")) {
                    settings.put(kv._1(), kv._2());
                }
                return null;
            });
        }

        /** The GGUF model: a local path present on every node, or a Hadoop FileSystem URI. */
        public Builder model(String uri) {
            return setting("spark.starspark.model", uri);
        }

        /** One {@code spark.starspark.*} setting (README, "Settings"). */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        /** Several {@code spark.starspark.*} settings. */
        public Builder settings(Map<String, String> values) {
            settings.putAll(values);
            return this;
        }

        /** Greedy tokens per answer, 1..4096 (default 64). */
        public Builder maxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        /** Documents with more context tokens fail their rows; 0 (default) for no limit. */
        public Builder maxContextTokens(int n) {
            this.maxContextTokens = n;
            return this;
        }

        /** Delete each document's stored K/V before its phase 1 (after a model or settings change). */
        public Builder reprefill(boolean value) {
            this.reprefill = value;
            return this;
        }

        /** Benchmark baseline: answer every question on the driver, one after another (the same task code). */
        Builder answerOnDriver(boolean value) {
            this.answerOnDriver = value;
            return this;
        }

        public StarSpark build() {
            AnswerOptions.requireMaxNewTokens(maxNewTokens);
            if (maxContextTokens < 0) {
                throw new UserError("maxContextTokens must be 0 (no limit) or positive (got " + maxContextTokens + ")");
            }
            StarSettings s = StarSettings.from(settings);
            s.requireModel();
            return new StarSpark(spark, s, maxNewTokens, maxContextTokens, reprefill, answerOnDriver);
        }
    }
}
