package io.starspark.driver.eval;

import io.starspark.driver.AnswerOptions;
import io.starspark.driver.Answerer;
import io.starspark.driver.Texts;
import io.starspark.errors.UserError;
import io.starspark.model.LlamaModel;
import io.starspark.model.Tokenizer;
import io.starspark.workers.HadoopConfs;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starspark eval}: what star and sparse attention cost in answers, on the user's model. Writes
 * {@code DIR/results.json} and {@code DIR/report.md} with PNG charts. Every answer goes through the one answer
 * path ({@link io.starspark.driver.Answerer}); each document is prefilled once and its K/V reused by every mode
 * and budget.
 */
@Command(name = "eval", description = "Measure the accuracy and cost of star and sparse attention against full "
        + "attention; write DIR/report.md with PNG charts and DIR/results.json.")
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--suite", required = true, description = "needle (needle-in-a-haystack heatmaps) or agreement "
            + "(teacher-forced agreement with full attention, KL, recall, cost)")
    String suite;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "local folder for report.md, "
            + "results.json and the charts (created; files in it are replaced)")
    Path out;

    @Option(names = "--modes", split = ",", defaultValue = "full,star,sparse",
            description = "modes to compare (default ${DEFAULT-VALUE}); sparse runs once per --budgets entry")
    List<String> modes;

    @Option(names = "--budgets", split = ",", paramLabel = "PCT",
            description = "sparse page budgets, % of context pages (default needle 5,10,25; agreement 5,10,25,50,100)")
    List<Double> budgets;

    @Option(names = "--block-fraction", defaultValue = "0.25",
            description = "star block = anchor = this fraction of each document, unless --block-size (default ${DEFAULT-VALUE})")
    double blockFraction;

    @Option(names = "--seed", defaultValue = "1", description = "seed of the generated documents (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--lengths", split = ",", defaultValue = "1024,2048,4096,8192,16384",
            description = "needle: context tokens (default ${DEFAULT-VALUE})")
    List<Integer> lengths;

    @Option(names = "--depths", split = ",", defaultValue = "0,25,50,75,100",
            description = "needle: needle depths, % of the document (default ${DEFAULT-VALUE})")
    List<Double> depths;

    @Option(names = "--trials", defaultValue = "2", description = "needle: documents per cell (default ${DEFAULT-VALUE})")
    int trials;

    @Option(names = "--full-max-tokens", defaultValue = "4096",
            description = "needle: longest context full attention answers (default ${DEFAULT-VALUE})")
    int fullMaxTokens;

    @Option(names = "--vocab", paramLabel = "FILE",
            description = "needle: filler/keys/values JSON (default: MODEL.vocab.json)")
    Path vocab;

    @Option(names = "--documents", defaultValue = "3",
            description = "agreement: generated documents, when no --context-file (default ${DEFAULT-VALUE})")
    int documents;

    @Option(names = "--context-tokens", defaultValue = "384",
            description = "agreement: tokens of each generated document (default ${DEFAULT-VALUE})")
    int contextTokens;

    @Option(names = "--context-file", paramLabel = "FILE",
            description = "agreement: a document of yours (repeatable; local path or Hadoop URI), instead of generated ones")
    List<String> contextFiles;

    @Option(names = "--question", defaultValue = " Lily",
            description = "agreement: the question after each document, no BOS, no added space (default \"${DEFAULT-VALUE}\")")
    String question;

    @Option(names = "--recall-tokens", defaultValue = "64",
            description = "agreement: query tokens per document measured for sparse recall at most (default ${DEFAULT-VALUE})")
    int recallTokens;

    @Mixin
    AnswerOptions answerOptions;

    @Override
    public Integer call() {
        StarSettings settings = answerOptions.settings();
        if (answerOptions.starOptions().attentionGiven()) {
            throw new UserError("eval runs every mode of --modes; --attention does not apply");
        }
        if (answerOptions.starOptions().topKGiven()) {
            throw new UserError("eval sets sparse top-k from --budgets (% of pages); --top-k does not apply");
        }
        LlamaModel model = answerOptions.loadModel(settings);
        Mode.Blocks blocks = new Mode.Blocks(blockFraction,
                answerOptions.starOptions().blockSizeGiven() ? settings.blockSize() : 0,
                answerOptions.starOptions().anchorSizeGiven() ? settings.anchorSize() : 0);
        PrintWriter err = spec.commandLine().getErr();
        createOut();
        Map<String, Object> results = new LinkedHashMap<>();
        results.put("suite", suite);
        results.put("command", "starspark " + String.join(" ", spec.commandLine().getParseResult().originalArgs()));
        results.put("model", settings.requireModel());
        results.put("settings", settings.toConf());
        results.put("settings_summary", String.format(Locale.ROOT, "star %s, page %d, sink %d + local %d pages, "
                + "K/V %s at %s, kernels %s", blocks.describe(), settings.pageSize(), settings.sparseSinkPages(),
                settings.sparseLocalPages(), settings.kvDtype(), settings.kvDir(), settings.kernels()));
        long t0 = System.nanoTime();
        String report;
        try (SparkScope spark = new SparkScope(needsSpark() ? answerOptions.spark(settings, "starspark eval") : null)) {
            Answers answers = new Answers(spark.jsc, model, settings, blocks, answerOptions.starOptions().reprefill());
            switch (suite) {
                case "needle" -> {
                    NeedleSuite.Plan plan = new NeedleSuite.Plan(lengths, depths, trials, seed,
                            modes(List.of(5.0, 10.0, 25.0)), fullMaxTokens, vocab != null ? vocab
                            : Path.of(settings.requireModel() + ".vocab.json"));
                    Estimate estimate = needleEstimate(plan, answers, err);
                    long planned = System.nanoTime();
                    results.put("plan", plan.toJson());
                    results.put("estimated_seconds", estimate.seconds());
                    results.putAll(NeedleSuite.run(plan, answers, estimate, err));
                    results.put("planned_seconds", (System.nanoTime() - planned) / 1e9);
                    results.put("seconds", (System.nanoTime() - t0) / 1e9);
                    report = Report.needle(out, results);
                }
                case "agreement" -> {
                    AgreementSuite.Plan plan = new AgreementSuite.Plan(agreementDocuments(model, settings), question,
                            answerOptions.maxNewTokens(), seed, modes(List.of(5.0, 10.0, 25.0, 50.0, 100.0)),
                            recallTokens);
                    Estimate estimate = agreementEstimate(plan, answers, err);
                    long planned = System.nanoTime();
                    results.put("plan", plan.toJson());
                    results.put("estimated_seconds", estimate.seconds());
                    Configuration hadoop = spark.jsc != null ? spark.jsc.hadoopConfiguration()
                            : HadoopConfs.of(new org.apache.spark.SparkConf());
                    results.putAll(AgreementSuite.run(plan, answers, hadoop, estimate, err));
                    results.put("planned_seconds", (System.nanoTime() - planned) / 1e9);
                    results.put("seconds", (System.nanoTime() - t0) / 1e9);
                    report = Report.agreement(out, results);
                }
                default -> throw new UserError("--suite must be needle or agreement (got " + suite + ")");
            }
        }
        Report.writeJson(out.resolve("results.json"), results);
        Report.writeText(out.resolve("report.md"), report);
        PrintWriter o = spec.commandLine().getOut();
        o.println("report: " + out.resolve("report.md"));
        o.println("results: " + out.resolve("results.json"));
        o.printf(Locale.ROOT, "seconds: %.1f%n", (Double) results.get("seconds"));
        o.flush();
        return 0;
    }

    /** The modes of --modes; sparse once per budget. */
    private List<Mode> modes(List<Double> defaultBudgets) {
        List<Mode> list = new ArrayList<>();
        for (String name : modes) {
            switch (name.strip().toLowerCase(Locale.ROOT)) {
                case "full" -> list.add(Mode.FULL);
                case "star" -> list.add(Mode.STAR);
                case "sparse" -> (budgets != null ? budgets : defaultBudgets).forEach(b -> list.add(Mode.sparse(b)));
                default -> throw new UserError("--modes: unknown mode '" + name + "' (full, star, sparse)");
            }
        }
        if (list.isEmpty()) {
            throw new UserError("--modes is empty");
        }
        return list;
    }

    private boolean needsSpark() {
        return modes.stream().anyMatch(m -> !m.strip().equalsIgnoreCase("full"));
    }

    private void createOut() {
        try {
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserError("cannot create --out " + out + ": " + e.getMessage());
        }
    }

    /**
     * The needle plan's time on this machine, printed before it starts, calibrated on a
     * {@link #CALIBRATION_TOKENS}-token haystack.
     */
    private static Estimate needleEstimate(NeedleSuite.Plan plan, Answers answers, PrintWriter err) {
        Tokenizer tok = answers.model().tokenizer();
        Haystack h;
        try {
            h = Haystack.make(plan.vocab(), plan.seed(), CALIBRATION_TOKENS - 1, 0.5);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + plan.vocab(), e);
        }
        int[] context = tok.encode(h.text(), true, true);
        int[] question = tok.encode(h.question(), false, false);
        Estimate e = calibrate(answers, context, question, 1);
        for (int length : plan.lengths()) {
            int docs = plan.depthsPercent().size() * plan.trials();
            for (Mode m : plan.modesAt(length)) {
                StarSettings s = answers.settings(m, length);
                double each = switch (m.attention()) {
                    case FULL -> e.full(length, 0);
                    case STAR -> e.answer(2, length, 1);
                    case SPARSE -> e.answer(2, (int) Math.ceil(m.effectiveFraction(s, length) * length), 1);
                };
                e = e.plus(docs * each);
            }
            if (plan.modesAt(length).stream().anyMatch(m -> m.attention() != AttentionMode.FULL)) {
                StarSettings s = answers.settings(Mode.STAR, length);
                e = e.plus(docs * e.prefill(length, s.blockSize(), s.anchorSize(), answers.parallelism()));
            }
        }
        err.printf(Locale.ROOT, "eval: needle plan: lengths %s × depths %s%% × %d trials = %d documents (seed %d), "
                        + "modes %s (full up to %d tokens): %d answers, %d cells; estimated %s (%s)%n", plan.lengths(),
                plan.depthsPercent().stream().map(Report::number).toList(), plan.trials(), plan.documents(),
                plan.seed(), plan.modes().stream().map(Mode::label).toList(), plan.fullMaxTokens(), plan.answers(),
                plan.lengths().size() * plan.depthsPercent().size(), Report.duration(e.seconds()),
                calibrated(e, context.length + question.length));
        err.flush();
        return e;
    }

    /**
     * The agreement plan's time on this machine, printed before it starts, calibrated on the first document:
     * full attention on at most {@link #CALIBRATION_TOKENS} tokens of it ({@link #CALIBRATION_STEPS} generated),
     * then its phase 1 (the suite's first Spark job; every mode reuses its K/V) and the fastest of
     * {@link #CALIBRATION_RUNS} star answers over its stored K/V, which measures the overhead of an answer.
     */
    private static Estimate agreementEstimate(AgreementSuite.Plan plan, Answers answers, PrintWriter err) {
        int[] question = AgreementSuite.questionIds(plan, answers.model().tokenizer());
        int[] first = plan.documents().get(0).context();
        int[] context = Arrays.copyOf(first, Math.min(first.length, CALIBRATION_TOKENS));
        Estimate e = calibrate(answers, context, question, Math.min(plan.steps(), CALIBRATION_STEPS));
        long p0 = System.nanoTime();
        answers.answer(Mode.STAR, first, question, 1);
        double prefill = (System.nanoTime() - p0) / 1e9;
        double best = Double.POSITIVE_INFINITY;
        for (int i = 0; i < CALIBRATION_RUNS; i++) {
            long a0 = System.nanoTime();
            answers.answer(Mode.STAR, first, question, 1);
            best = Math.min(best, (System.nanoTime() - a0) / 1e9);
        }
        e = AgreementSuite.estimate(plan, answers, question.length,
                e.withAnswerTimed(question.length, first.length, best));
        err.printf(Locale.ROOT, "eval: agreement plan: %d documents (%s tokens) × modes %s (seed %d): per document "
                        + "a %d-token teacher from full attention, one teacher-forced pass and %d free-running answers "
                        + "per mode (the faster one timed); estimated %s (%s; the first document's phase 1 took %.1f s, "
                        + "an answer over its stored K/V %.2f s)%n", plan.documents().size(),
                plan.documents().stream().map(d -> Integer.toString(d.context().length)).distinct().toList(),
                plan.modes().stream().map(Mode::label).toList(), plan.seed(), plan.steps(), AgreementSuite.COST_RUNS,
                Report.duration(e.seconds()), calibrated(e, context.length + question.length), prefill, best);
        err.flush();
        return e;
    }

    /**
     * Calibrates {@link Estimate} with full-attention answers of {@code generate} tokens over context ++ question;
     * the fastest of {@link #CALIBRATION_RUNS} runs counts (the first ones run while the JIT compiles).
     */
    private static Estimate calibrate(Answers answers, int[] context, int[] question, int generate) {
        double best = Double.POSITIVE_INFINITY;
        Answerer.Answer fastest = null;
        for (int i = 0; i < CALIBRATION_RUNS; i++) {
            long c0 = System.nanoTime();
            Answerer.Answer a = answers.answer(Mode.FULL, context, question, generate);
            double seconds = (System.nanoTime() - c0) / 1e9;
            if (seconds < best) {
                best = seconds;
                fastest = a;
            }
        }
        return Estimate.calibrate(answers.model().config(), context.length + question.length, best,
                fastest.ids().length, ((Number) fastest.stats().get("decode_seconds")).doubleValue());
    }

    /** How the estimate was calibrated, for the plan line. */
    private static String calibrated(Estimate e, int tokens) {
        return String.format(Locale.ROOT, "calibrated: full attention on %d tokens took %.2f s%s", tokens,
                e.secondsPerWork() * Estimate.work(tokens, 0, e.keysPerTokenWork()),
                e.secondsPerStep() > 0 ? String.format(Locale.ROOT, ", %.1f ms per decoding step",
                        1000 * e.secondsPerStep()) : "");
    }

    static final int CALIBRATION_TOKENS = 1024;
    static final int CALIBRATION_RUNS = 4;
    static final int CALIBRATION_STEPS = 16;

    private List<AgreementSuite.Document> agreementDocuments(LlamaModel model, StarSettings settings) {
        List<AgreementSuite.Document> docs = new ArrayList<>();
        if (contextFiles != null) {
            Configuration hadoop = HadoopConfs.of(new org.apache.spark.SparkConf());
            for (String f : contextFiles) {
                String text = Texts.read(f, hadoop);
                if (text.isBlank()) {
                    throw new UserError("context file " + f + " is empty");
                }
                docs.add(new AgreementSuite.Document(f, model.tokenizer().encode(text, true, true)));
            }
            return docs;
        }
        if (documents < 1 || contextTokens < 2) {
            throw new UserError("--documents and --context-tokens must be positive (got " + documents + ", "
                    + contextTokens + ")");
        }
        for (int i = 0; i < documents; i++) {
            docs.add(AgreementSuite.generate(model, settings, contextTokens, seed + i, "generated-" + i));
        }
        return docs;
    }

    /** The eval's one Spark context (none when only full attention runs), closed at the end. */
    private record SparkScope(JavaSparkContext jsc) implements AutoCloseable {
        @Override
        public void close() {
            if (jsc != null) {
                jsc.close();
            }
        }
    }
}
