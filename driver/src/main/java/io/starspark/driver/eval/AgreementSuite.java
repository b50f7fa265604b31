package io.starspark.driver.eval;

import io.starspark.driver.Answerer;
import io.starspark.errors.UserError;
import io.starspark.kernels.KernelBackends;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.model.Tokenizer;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.hadoop.conf.Configuration;

/**
 * The agreement suite: how close star and sparse decoding stay to full attention on the same documents.
 * Full attention answers greedily for {@code steps} tokens (the teacher sequence); every mode, full included,
 * then reads the question followed by the teacher's tokens in one pass, and its logits at step i are those after
 * the question and the first i teacher tokens (the causal mask hides the rest; sparse picks pages per token, as
 * in decoding). So every mode sees the same tokens and one early flip does not hide the rest. Per step: top-1
 * agreement with full, and KL(full ‖ mode) of the next-token distributions; for sparse also the attention-mass
 * recall ({@link MassRecall}). The cost comes from the faster of {@link #COST_RUNS} free-running greedy answers
 * per mode (full's first is the teacher): ms per decoded token, K/V bytes read and pages read per step.
 */
final class AgreementSuite {

    /** A document of the suite. @param context [n] BOS + SentencePiece(" " + text) */
    record Document(String name, int[] context) {
    }

    /**
     * @param steps        teacher-forced steps per document (--max-new-tokens)
     * @param recallTokens query tokens per document measured for recall at most
     */
    record Plan(List<Document> documents, String question, int steps, long seed, List<Mode> modes,
                int recallTokens) {
        Plan {
            if (documents.isEmpty()) {
                throw new UserError("agreement: no documents");
            }
            if (question.isEmpty()) {
                throw new UserError("agreement: --question is empty");
            }
            if (modes.stream().noneMatch(m -> m.attention() != AttentionMode.FULL)) {
                throw new UserError("agreement: give star or sparse modes to compare with full attention");
            }
            if (recallTokens < 1) {
                throw new UserError("agreement: --recall-tokens must be positive (got " + recallTokens + ")");
            }
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("documents", documents.stream().map(d -> Map.of("name", d.name(), "context_tokens",
                    d.context().length)).toList());
            m.put("question", question);
            m.put("steps", steps);
            m.put("seed", seed);
            m.put("modes", modes.stream().map(Mode::label).toList());
            m.put("recall_tokens", recallTokens);
            return m;
        }
    }

    /**
     * Free-running answers per document and mode whose faster one gives the cost: sub-millisecond decoding
     * steps are timed, and a mode's first answer runs while the JIT compiles its path.
     */
    static final int COST_RUNS = 2;

    private AgreementSuite() {
    }

    /**
     * A generated document of exactly {@code tokens} tokens: stories sampled from the model (temperature 1,
     * top-p 0.95, seeded) from BOS, decoded to text, joined, tokenized as a document and cut to length.
     */
    static Document generate(LlamaModel model, StarSettings settings, int tokens, long seed, String name) {
        Tokenizer tok = model.tokenizer();
        Generator g = new Generator(model, KernelBackends.select(settings.kernels()));
        StringBuilder text = new StringBuilder();
        for (int part = 0; part < 1000; part++) {
            Generator.Result r = g.generate(new int[] {tok.bos()}, 256, Sampler.topP(1f, 0.95f, seed * 1000 + part));
            text.append(tok.decode(r.ids()).strip()).append(' ');
            int[] ids = tok.encode(text.toString().strip(), true, true);
            if (ids.length >= tokens) {
                return new Document(name, Arrays.copyOf(ids, tokens));
            }
        }
        throw new UserError("agreement: the model generated no text to make a " + tokens + "-token document from");
    }

    /**
     * The plan's time: per document the teacher (a free-running full answer) and full's teacher-forced pass
     * over context ++ question ++ teacher, one phase 1, and per star/sparse mode its teacher-forced pass; per
     * mode {@link #COST_RUNS} free-running answers (full's first is the teacher); for sparse also the recall pass.
     * Counts every step (EOS may end a teacher early). The first document's phase 1 ran in the calibration.
     */
    static Estimate estimate(Plan plan, Answers answers, int questionTokens, Estimate e) {
        int m = questionTokens;
        int steps = plan.steps();
        int forced = m + steps - 1;
        for (Document d : plan.documents()) {
            int n = d.context().length;
            StarSettings star = answers.settings(Mode.STAR, n); // the plan has a star or sparse mode
            e = e.plus(e.full(n + m, steps) + e.full(n + forced, 1) + (d == plan.documents().get(0) ? 0
                    : e.prefill(n, star.blockSize(), star.anchorSize(), answers.parallelism())));
            for (Mode mode : plan.modes()) {
                int keys = mode.attention() == AttentionMode.SPARSE
                        ? (int) Math.ceil(mode.effectiveFraction(answers.settings(mode, n), n) * n) : n;
                if (mode.attention() == AttentionMode.FULL) {
                    e = e.plus((COST_RUNS - 1) * e.full(n + m, steps));
                } else {
                    e = e.plus(e.answer(forced, keys, 1) + COST_RUNS * e.answer(m, keys, steps));
                }
                if (mode.attention() == AttentionMode.SPARSE) {
                    e = e.plus(e.answer(forced, keys, 1) + e.answer(Math.min(plan.recallTokens(), forced), n, 1));
                }
            }
        }
        return e;
    }

    /**
     * Runs the plan; one progress line per document and mode on {@code progress}. Teacher forcing takes one
     * pass per document and mode ({@link Answers#score}): the causal mask gives every step its own prefix.
     */
    static Map<String, Object> run(Plan plan, Answers answers, Configuration hadoop, Estimate estimate,
                                   PrintWriter progress) {
        LlamaModel model = answers.model();
        Tokenizer tok = model.tokenizer();
        int vocab = model.config().vocabSize();
        int[] question = questionIds(plan, tok);
        List<Mode> modes = plan.modes().stream().sorted((a, b) -> a.attention().compareTo(b.attention())).toList();
        Map<String, Totals> totals = new LinkedHashMap<>();
        modes.forEach(m -> totals.put(m.label(), new Totals(m)));
        List<Map<String, Object>> documents = new ArrayList<>();
        long start = System.nanoTime();
        int di = 0;
        for (Document d : plan.documents()) {
            di++;
            long t0 = System.nanoTime();
            // the teacher: full attention's greedy answer; step i follows question ++ teacher[0..i), and the
            // last step is the one that chose EOS when full stopped early
            Answerer.Answer teacherRun = answers.answer(Mode.FULL, d.context(), question, plan.steps());
            int[] teacher = teacherRun.ids();
            int steps = teacher.length < plan.steps() ? teacher.length + 1 : plan.steps();
            int[] forced = prompt(question, teacher, steps - 1);
            float[][] full = rows(answers.score(Mode.FULL, d.context(), forced, steps), vocab);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", d.name());
            row.put("context_tokens", d.context().length);
            row.put("steps", steps);
            row.put("teacher", tok.decode(teacher));
            row.put("teacher_ids", teacher);
            row.put("teacher_not_argmax", notArgmax(full, teacher));
            List<Map<String, Object>> byMode = new ArrayList<>();
            float[][] star = null;
            long m0 = t0; // full's line counts the teacher and full's pass
            for (Mode mode : modes) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mode", mode.label());
                float[][] logits = mode.attention() == AttentionMode.FULL ? full
                        : rows(answers.score(mode, d.context(), forced, steps), vocab);
                Totals tot = totals.get(mode.label());
                int agree = 0;
                double kl = 0;
                for (int i = 0; i < steps; i++) {
                    agree += Sampler.argmax(logits[i]) == Sampler.argmax(full[i]) ? 1 : 0;
                    kl += kl(full[i], logits[i]);
                }
                boolean first = Sampler.argmax(logits[0]) == Sampler.argmax(full[0]);
                m.put("top1_agreement", agree / (double) steps);
                m.put("first_token_agreement", first);
                m.put("kl_mean", kl / steps);
                tot.steps += steps;
                tot.agree += agree;
                tot.first += first ? 1 : 0;
                tot.kl += kl;
                tot.documents++;
                if (mode.attention() == AttentionMode.STAR) {
                    star = logits;
                }
                if (mode.attention() == AttentionMode.SPARSE && star != null) {
                    int agreeStar = 0;
                    for (int i = 0; i < steps; i++) {
                        agreeStar += Sampler.argmax(logits[i]) == Sampler.argmax(star[i]) ? 1 : 0;
                    }
                    m.put("top1_agreement_with_star", agreeStar / (double) steps);
                    tot.agreeStar += agreeStar;
                    tot.withStar = true;
                }
                // the cost: the faster of COST_RUNS free-running greedy answers (full's first is the teacher)
                Answerer.Answer run = mode.attention() == AttentionMode.FULL ? teacherRun : null;
                for (int i = run == null ? 0 : 1; i < COST_RUNS; i++) {
                    Answerer.Answer a = answers.answer(mode, d.context(), question, plan.steps());
                    if (run == null || decodeSeconds(a) < decodeSeconds(run)) {
                        run = a;
                    }
                }
                Map<String, Object> stats = run.stats();
                m.put("stats", stats);
                tot.add(stats);
                if (mode.attention() == AttentionMode.SPARSE) {
                    StarSettings s = answers.settings(mode, d.context().length);
                    double[][] recall = MassRecall.measure(model, s, (String) stats.get("kv_root"), hadoop,
                            d.context().length, forced, plan.recallTokens(), plan.seed() + di);
                    m.put("top_k", s.sparseTopK());
                    m.put("budget_fraction", mode.effectiveFraction(s, d.context().length));
                    m.put("recall_per_layer_head", recall);
                    m.put("recall_mean", mean(recall));
                    tot.addRecall(recall, mode.effectiveFraction(s, d.context().length));
                }
                byMode.add(m);
                progress.printf(Locale.ROOT, "eval: [%d/%d] %s, %s: top-1 %.3f, first token %s, KL %.4f (%.1f s; "
                                + "%s elapsed of ~%s estimated)%n", di, plan.documents().size(), d.name(),
                        mode.label(), agree / (double) steps, first, kl / steps, (System.nanoTime() - m0) / 1e9,
                        Report.duration((System.nanoTime() - start) / 1e9), Report.duration(estimate.seconds()));
                progress.flush();
                m0 = System.nanoTime();
            }
            row.put("modes", byMode);
            row.put("seconds", (System.nanoTime() - t0) / 1e9);
            documents.add(row);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documents", documents);
        out.put("modes", totals.values().stream().map(Totals::toJson).toList());
        return out;
    }

    private static double decodeSeconds(Answerer.Answer a) {
        return ((Number) a.stats().get("decode_seconds")).doubleValue();
    }

    /** [m] the plan's question, no BOS, no added space. */
    static int[] questionIds(Plan plan, Tokenizer tok) {
        int[] question = tok.encode(plan.question(), false, false);
        if (question.length == 0) {
            throw new UserError("agreement: --question has no tokens");
        }
        return question;
    }

    /** [m + i] the question followed by the first {@code i} teacher tokens. */
    static int[] prompt(int[] question, int[] teacher, int i) {
        return IntStream.concat(IntStream.of(question), IntStream.of(teacher).limit(i)).toArray();
    }

    /** [rows][vocab] the rows of flat {@code [rows][vocab]} logits. */
    private static float[][] rows(float[] flat, int vocab) {
        float[][] out = new float[flat.length / vocab][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * vocab, (i + 1) * vocab);
        }
        return out;
    }

    /**
     * Steps where the teacher's token is not the argmax of full's teacher-forced logits: the free-running
     * answer decodes token by token and the forced pass runs as a batch, so a near-tie may round either way.
     */
    private static int notArgmax(float[][] full, int[] teacher) {
        int n = 0;
        for (int i = 0; i < teacher.length && i < full.length; i++) {
            n += Sampler.argmax(full[i]) != teacher[i] ? 1 : 0;
        }
        return n;
    }

    /** KL(p ‖ q) in nats of the softmax distributions of two logit vectors. */
    static double kl(float[] p, float[] q) {
        double[] lp = logSoftmax(p);
        double[] lq = logSoftmax(q);
        double kl = 0;
        for (int i = 0; i < lp.length; i++) {
            kl += Math.exp(lp[i]) * (lp[i] - lq[i]);
        }
        return Math.max(0, kl);
    }

    private static double[] logSoftmax(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : x) {
            sum += Math.exp(v - max);
        }
        double log = max + Math.log(sum);
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] - log;
        }
        return out;
    }

    static double mean(double[][] m) {
        return Arrays.stream(m).flatMapToDouble(Arrays::stream).average().orElse(Double.NaN);
    }

    /** A mode's sums over documents. */
    private static final class Totals {
        final Mode mode;
        int documents;
        int steps;
        int agree;
        int agreeStar;
        boolean withStar;
        int first;
        double kl;
        double decodeSeconds;
        long decodedTokens;
        long generatedTokens;
        long bytesRead;
        double pagesPerStep;
        double[][] recall;
        double budgetFraction;

        Totals(Mode mode) {
            this.mode = mode;
        }

        void add(Map<String, Object> stats) {
            decodeSeconds += ((Number) stats.get("decode_seconds")).doubleValue();
            int generated = ((Number) stats.get("generated_tokens")).intValue();
            generatedTokens += generated;
            decodedTokens += Math.max(0, generated - 1);
            if (stats.containsKey("context_bytes_read")) {
                bytesRead += ((Number) stats.get("context_bytes_read")).longValue();
                pagesPerStep += ((Number) stats.get("context_pages_per_step")).doubleValue();
            }
        }

        void addRecall(double[][] r, double fraction) {
            if (recall == null) {
                recall = new double[r.length][r[0].length];
            }
            for (int l = 0; l < r.length; l++) {
                for (int h = 0; h < r[l].length; h++) {
                    recall[l][h] += r[l][h];
                }
            }
            budgetFraction += fraction;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mode", mode.label());
            m.put("attention", mode.attention().name().toLowerCase(Locale.ROOT));
            m.put("budget_percent", mode.attention() == AttentionMode.SPARSE ? mode.budgetPercent() : 100.0);
            m.put("documents", documents);
            m.put("steps", steps);
            m.put("top1_agreement", agree / (double) steps);
            m.put("first_token_agreement", first / (double) documents);
            m.put("kl_mean", kl / steps);
            m.put("ms_per_decoded_token", decodedTokens == 0 ? null : 1000 * decodeSeconds / decodedTokens);
            if (mode.attention() != AttentionMode.FULL) {
                m.put("bytes_read_per_token", generatedTokens == 0 ? null : bytesRead / (double) generatedTokens);
                m.put("pages_per_step", pagesPerStep / documents);
            }
            if (mode.attention() == AttentionMode.SPARSE) {
                double[][] r = new double[recall.length][recall[0].length];
                for (int l = 0; l < r.length; l++) {
                    for (int h = 0; h < r[l].length; h++) {
                        r[l][h] = recall[l][h] / documents;
                    }
                }
                m.put("budget_fraction", budgetFraction / documents);
                m.put("recall_mean", mean(r));
                m.put("recall_min_layer_head", Arrays.stream(r).flatMapToDouble(Arrays::stream).min().orElse(Double.NaN));
                m.put("recall_per_layer_head", r);
                if (withStar) {
                    m.put("top1_agreement_with_star", agreeStar / (double) steps);
                }
            }
            return m;
        }
    }
}
