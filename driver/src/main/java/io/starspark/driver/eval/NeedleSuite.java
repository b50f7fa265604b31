package io.starspark.driver.eval;

import io.starspark.driver.Answerer;
import io.starspark.errors.UserError;
import io.starspark.model.Tokenizer;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The needle suite: for every context length × needle depth × trial, one seeded {@link Haystack} document,
 * prefilled once (by its first star or sparse question) and asked its key by every mode; an answer is
 * correct when its one generated token is the needle's value.
 */
final class NeedleSuite {

    /**
     * @param lengths       context tokens (BOS included) of the documents
     * @param depthsPercent where the needle sits, 0..100 % of the text
     * @param fullMaxTokens longest context full attention answers (it recomputes the context per question)
     */
    record Plan(List<Integer> lengths, List<Double> depthsPercent, int trials, long seed, List<Mode> modes,
                int fullMaxTokens, Path vocab) {
        Plan {
            if (lengths.isEmpty() || depthsPercent.isEmpty() || modes.isEmpty()) {
                throw new UserError("needle: --lengths, --depths and the modes must not be empty");
            }
            for (int n : lengths) {
                if (n < 16) {
                    throw new UserError("needle: every length must be at least 16 tokens (got " + n + ")");
                }
            }
            for (double d : depthsPercent) {
                if (!(d >= 0 && d <= 100)) {
                    throw new UserError("needle: depths are percentages in [0, 100] (got " + d + ")");
                }
            }
            if (trials < 1) {
                throw new UserError("needle: --trials must be positive (got " + trials + ")");
            }
            if (!Files.isRegularFile(vocab)) {
                throw new UserError("needle: no vocabulary file " + vocab + " (the needle model's filler, keys and "
                        + "values; give it with --vocab)");
            }
        }

        /** The modes that run at {@code length} (full only up to {@code fullMaxTokens}). */
        List<Mode> modesAt(int length) {
            return modes.stream().filter(m -> m.attention() != AttentionMode.FULL || length <= fullMaxTokens).toList();
        }

        int documents() {
            return lengths.size() * depthsPercent.size() * trials;
        }

        int answers() {
            int n = 0;
            for (int length : lengths) {
                n += modesAt(length).size() * depthsPercent.size() * trials;
            }
            return n;
        }

        /** A document's seed: a function of the plan's seed and the document's place in the plan. */
        long documentSeed(int lengthIndex, int depthIndex, int trial) {
            return seed * 1_000_003L + (lengthIndex * 1_000L + depthIndex) * 1_000L + trial;
        }

        Map<String, Object> toJson() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lengths", lengths);
            m.put("depths_percent", depthsPercent);
            m.put("trials", trials);
            m.put("seed", seed);
            m.put("modes", modes.stream().map(Mode::label).toList());
            m.put("full_max_tokens", fullMaxTokens);
            m.put("vocab", vocab.toString());
            m.put("documents", documents());
            m.put("answers", answers());
            m.put("document_seed", "seed * 1000003 + (length_index * 1000 + depth_index) * 1000 + trial");
            return m;
        }
    }

    /** One document of the plan: its seed, words and tokens, and the one-token answer it expects. */
    record Document(int lengthIndex, int depthIndex, int trial, long seed, Haystack haystack, int[] context,
                    int[] question, int expected) {
    }

    private NeedleSuite() {
    }

    static Document document(Plan plan, Tokenizer tok, int li, int di, int trial) {
        long seed = plan.documentSeed(li, di, trial);
        Haystack h;
        try {
            h = Haystack.make(plan.vocab(), seed, plan.lengths().get(li) - 1, plan.depthsPercent().get(di) / 100);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + plan.vocab(), e);
        }
        int[] context = tok.encode(h.text(), true, true);
        int[] question = tok.encode(h.question(), false, false);
        int[] value = tok.encode(" " + h.value(), false, false);
        if (value.length != 1 || question.length == 0) {
            throw new UserError("needle: the vocabulary " + plan.vocab() + " gives key '" + h.key() + "' and value '"
                    + h.value() + "'; a value must be one token and a key at least one");
        }
        return new Document(li, di, trial, seed, h, context, question, value[0]);
    }

    /**
     * Runs the plan; one progress line per (length, depth) cell on {@code progress}.
     *
     * @return {"documents": [...], "cells": [...]} for results.json
     */
    static Map<String, Object> run(Plan plan, Answers answers, Estimate estimate, PrintWriter progress) {
        Tokenizer tok = answers.model().tokenizer();
        List<Map<String, Object>> documents = new ArrayList<>();
        List<Map<String, Object>> cells = new ArrayList<>();
        int cellCount = plan.lengths().size() * plan.depthsPercent().size();
        int cell = 0;
        long start = System.nanoTime();
        for (int li = 0; li < plan.lengths().size(); li++) {
            int length = plan.lengths().get(li);
            List<Mode> modes = plan.modesAt(length);
            for (int di = 0; di < plan.depthsPercent().size(); di++) {
                long t0 = System.nanoTime();
                int[] correct = new int[modes.size()];
                for (int trial = 0; trial < plan.trials(); trial++) {
                    Document d = document(plan, tok, li, di, trial);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("length", length);
                    row.put("depth_percent", plan.depthsPercent().get(di));
                    row.put("trial", trial);
                    row.put("seed", d.seed());
                    row.put("context_tokens", d.context().length);
                    row.put("key", d.haystack().key());
                    row.put("value", d.haystack().value());
                    List<Map<String, Object>> byMode = new ArrayList<>();
                    for (int mi = 0; mi < modes.size(); mi++) {
                        Mode mode = modes.get(mi);
                        Answerer.Answer a = answers.answer(mode, d.context(), d.question(), 1);
                        boolean ok = a.ids().length == 1 && a.ids()[0] == d.expected();
                        correct[mi] += ok ? 1 : 0;
                        byMode.add(answerRow(mode, answers.settings(mode, d.context().length), d, a, ok, tok));
                    }
                    row.put("answers", byMode);
                    documents.add(row);
                }
                cell++;
                StringBuilder line = new StringBuilder(String.format("eval: [%d/%d] %d tokens, depth %s%%:", cell,
                        cellCount, length, Report.number(plan.depthsPercent().get(di))));
                for (int mi = 0; mi < modes.size(); mi++) {
                    Map<String, Object> c = new LinkedHashMap<>();
                    c.put("mode", modes.get(mi).label());
                    c.put("length", length);
                    c.put("depth_percent", plan.depthsPercent().get(di));
                    c.put("correct", correct[mi]);
                    c.put("trials", plan.trials());
                    c.put("accuracy", correct[mi] / (double) plan.trials());
                    cells.add(c);
                    line.append(' ').append(modes.get(mi).label()).append(' ').append(correct[mi]).append('/')
                            .append(plan.trials());
                }
                double elapsed = (System.nanoTime() - start) / 1e9;
                line.append(String.format(" (%.1f s; %s elapsed of ~%s estimated)", (System.nanoTime() - t0) / 1e9,
                        Report.duration(elapsed), Report.duration(estimate.seconds())));
                progress.println(line);
                progress.flush();
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documents", documents);
        out.put("cells", cells);
        out.put("modes", modeSummary(plan, cells));
        return out;
    }

    private static Map<String, Object> answerRow(Mode mode, StarSettings s, Document d, Answerer.Answer a, boolean ok,
                                                 Tokenizer tok) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", mode.label());
        m.put("answer", tok.decode(a.ids()));
        m.put("answer_ids", a.ids());
        m.put("correct", ok);
        if (mode.attention() != AttentionMode.FULL) {
            m.put("block_size", s.blockSize());
            m.put("anchor_size", s.anchorSize());
            m.put("page_size", s.pageSize());
        }
        if (mode.attention() == AttentionMode.SPARSE) {
            m.put("top_k", s.sparseTopK());
            m.put("budget_fraction", mode.effectiveFraction(s, d.context().length));
        }
        m.put("stats", a.stats());
        return m;
    }

    /** Per mode: correct answers over all cells it ran. */
    private static List<Map<String, Object>> modeSummary(Plan plan, List<Map<String, Object>> cells) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Mode mode : plan.modes()) {
            int correct = 0;
            int total = 0;
            for (Map<String, Object> c : cells) {
                if (c.get("mode").equals(mode.label())) {
                    correct += (int) c.get("correct");
                    total += (int) c.get("trials");
                }
            }
            if (total > 0) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("mode", mode.label());
                m.put("correct", correct);
                m.put("answers", total);
                m.put("accuracy", correct / (double) total);
                out.add(m);
            }
        }
        return out;
    }
}
