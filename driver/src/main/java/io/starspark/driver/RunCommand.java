package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.HadoopConfs;
import io.starspark.workers.conf.StarSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starspark run}: the batch job, a thin CLI over {@link StarSpark}. Reads a JSONL or Parquet table of
 * documents with questions through Spark SQL, answers every question on the executors and writes one row
 * per question with Spark's writer and output committer to a new folder ({@code _SUCCESS} last).
 */
@Command(name = "run", description = "Batch job: answer the questions of a JSONL or Parquet table of documents, "
        + "write one row per question (JSONL or Parquet) to a new folder.")
final class RunCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--input", required = true, paramLabel = "URI",
            description = "documents: rows {id, document | document_path, questions[], chat?} (local path or Hadoop URI)")
    String input;

    @Option(names = "--output", required = true, paramLabel = "URI",
            description = "folder to create (must not exist): rows {id, question, answer, ids, error, stats}, and _SUCCESS")
    String output;

    @Option(names = "--input-format", description = "jsonl or parquet (default: parquet for *.parquet, else jsonl)")
    String inputFormat;

    @Option(names = "--output-format", description = "jsonl or parquet (default: parquet for *.parquet, else jsonl)")
    String outputFormat;

    @Option(names = "--allow-row-errors", description = "exit 0 even when some rows failed (their error column says why)")
    boolean allowRowErrors;

    @Option(names = "--max-context-tokens", defaultValue = "0",
            description = "documents with more context tokens fail their rows (0: no limit, the default)")
    int maxContextTokens;

    @Option(names = "--answer-on-driver", hidden = true,
            description = "benchmark baseline: answer every question on the driver, one after another")
    boolean answerOnDriver;

    @Option(names = "--quiet", description = "no progress lines and no summary table")
    boolean quiet;

    @Mixin
    AnswerOptions answerOptions;

    @Mixin
    OutputOptions outputOptions;

    @Override
    public Integer call() {
        StarSettings settings = answerOptions.settings();
        DocumentTable.Format in = DocumentTable.Format.of(inputFormat, input);
        DocumentTable.Format out = DocumentTable.Format.of(outputFormat, output);
        BatchOutput.requireAbsent(output, HadoopConfs.of(new org.apache.spark.SparkConf()));
        Models.load(settings.model()); // a bad model file is named before Spark starts
        PrintWriter err = spec.commandLine().getErr();
        StarSpark.Batch batch;
        SparkSession spark = Spark.session("starspark run", answerOptions.master, settings);
        try {
            answerOptions.executorWait.await(JavaSparkContext.fromSparkContext(spark.sparkContext()));
            Dataset<Row> documents = DocumentTable.read(spark, input, in);
            StarSpark star = StarSpark.builder(spark).settings(settings.toConf())
                    .maxNewTokens(answerOptions.maxNewTokens).maxContextTokens(maxContextTokens)
                    .reprefill(answerOptions.starOptions.reprefill).answerOnDriver(answerOnDriver).build();
            batch = star.run(documents, input, quiet ? Progress.SILENT : new Progress(err));
            write(spark, batch.answers(), out);
            batch.summary().put("master", spark.sparkContext().master());
        } finally {
            spark.stop();
        }
        Map<String, Object> summary = batch.summary();
        summary.put("output", output);
        summary.put("output_format", out.toString());
        List<Map<String, Object>> table = perDocument(batch.rows());
        if (outputOptions.json) {
            summary.put("documents_table", table);
        }
        PrintWriter stdout = spec.commandLine().getOut();
        outputOptions.print(stdout, summary);
        if (!quiet && !outputOptions.json) {
            printTable(stdout, table);
            printAnswers(stdout, batch.rows());
        }
        long failed = batch.failedRows();
        if (failed > 0 && !allowRowErrors) {
            err.println(ErrorContract.PREFIX + failed + " of " + batch.rows().size() + " rows failed (their error "
                    + "column says why, in " + output + "); --allow-row-errors accepts a partial result");
            err.flush();
            return ErrorContract.EXIT_USER;
        }
        return ErrorContract.EXIT_OK;
    }

    /** Spark's writer and file output committer: the folder appears complete with {@code _SUCCESS}, or not at all. */
    private void write(SparkSession spark, Dataset<Row> answers, DocumentTable.Format format) {
        JavaSparkContext.fromSparkContext(spark.sparkContext()).setJobGroup("starspark-write",
                "write " + output + " (" + format + ")", false);
        try {
            answers.coalesce(1).write().format(format.spark).save(BatchOutput.resolve(output).toString());
        } catch (RuntimeException e) {
            Throwable thrown = e;
            if (thrown instanceof org.apache.spark.sql.AnalysisException) {
                throw new UserError("cannot write output " + output + ": " + ErrorContract.oneLine(e), e);
            }
            throw e;
        }
    }

    /** Per document: questions, answered, failed, context tokens, blocks, phase-1 seconds, answer seconds. */
    static List<Map<String, Object>> perDocument(List<Row> rows) {
        Map<String, Map<String, Object>> byId = new LinkedHashMap<>();
        for (Row r : rows) {
            Map<String, Object> d = byId.computeIfAbsent(r.getString(0), id -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", id);
                m.put("questions", 0);
                m.put("failed", 0);
                m.put("context_tokens", null);
                m.put("blocks", null);
                m.put("phase1_seconds", null);
                m.put("answer_seconds", 0.0);
                return m;
            });
            d.merge("questions", 1, (a, b) -> (Integer) a + (Integer) b);
            if (!r.isNullAt(r.fieldIndex("error"))) {
                d.merge("failed", 1, (a, b) -> (Integer) a + (Integer) b);
                continue;
            }
            Row s = r.getStruct(r.fieldIndex("stats"));
            d.put("context_tokens", s.get(s.fieldIndex("context_tokens")));
            d.put("blocks", s.get(s.fieldIndex("blocks")));
            Object phase1 = s.get(s.fieldIndex("phase1_seconds"));
            if (phase1 != null && !s.getBoolean(s.fieldIndex("prefill_reused"))) {
                d.put("phase1_seconds", phase1);
            }
            double answer = seconds(s, "question_seconds") + seconds(s, "prefill_seconds") + seconds(s, "decode_seconds");
            d.merge("answer_seconds", answer, (a, b) -> (Double) a + (Double) b);
        }
        return new ArrayList<>(byId.values());
    }

    private static double seconds(Row stats, String name) {
        Object v = stats.get(stats.fieldIndex(name));
        return v == null ? 0 : (Double) v;
    }

    private static void printTable(PrintWriter out, List<Map<String, Object>> table) {
        out.println(String.format(Locale.ROOT, "%-20s %9s %6s %8s %6s %9s %9s", "document", "questions", "failed",
                "tokens", "blocks", "phase1_s", "answer_s"));
        for (Map<String, Object> d : table) {
            out.println(String.format(Locale.ROOT, "%-20s %9d %6d %8s %6s %9s %9.2f", d.get("id"), d.get("questions"),
                    d.get("failed"), dash(d.get("context_tokens")), dash(d.get("blocks")),
                    d.get("phase1_seconds") == null ? "-" : String.format(Locale.ROOT, "%.2f", d.get("phase1_seconds")),
                    d.get("answer_seconds")));
        }
        out.flush();
    }

    static final int PRINTED_ANSWERS = 20;

    /** The first {@link #PRINTED_ANSWERS} answers (or errors), then where the rest are. */
    private void printAnswers(PrintWriter out, List<Row> rows) {
        out.println("answers (" + Math.min(rows.size(), PRINTED_ANSWERS) + " of " + rows.size() + "; all in " + output + "):");
        for (Row r : rows.subList(0, Math.min(rows.size(), PRINTED_ANSWERS))) {
            String error = r.getAs("error");
            out.println("  [" + r.getAs("id") + "] " + OutputOptions.toJson(r.getAs("question")) + " -> "
                    + (error != null ? "error: " + error : OutputOptions.toJson(r.getAs("answer"))));
        }
        out.flush();
    }

    private static String dash(Object v) {
        return v == null ? "-" : v.toString();
    }
}
