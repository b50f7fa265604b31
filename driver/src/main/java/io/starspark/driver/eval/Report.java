package io.starspark.driver.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code DIR/results.json} (every number) and {@code DIR/report.md} with its PNG charts. The report is
 * written from the results map alone, so every number it shows is one of results.json.
 */
final class Report {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Report() {
    }

    static void writeJson(Path file, Map<String, Object> results) {
        try {
            JSON.writeValue(file.toFile(), results);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    static void writeText(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** The needle report: plan, time, one heatmap per mode, accuracy per mode. */
    @SuppressWarnings("unchecked")
    static String needle(Path dir, Map<String, Object> results) {
        Map<String, Object> plan = (Map<String, Object>) results.get("plan");
        List<Integer> lengths = (List<Integer>) plan.get("lengths");
        List<Double> depths = (List<Double>) plan.get("depths_percent");
        List<Map<String, Object>> cells = (List<Map<String, Object>>) results.get("cells");
        StringBuilder md = header("needle in a haystack", results);
        md.append("An answer is correct when its one generated token is the needle's value. Documents: seeded filler ")
                .append("words with one `KEY VALUE` pair at the given depth; question ` KEY`.\n\n");
        md.append("| mode | correct | answers | accuracy |\n|---|---|---|---|\n");
        for (Map<String, Object> m : (List<Map<String, Object>>) results.get("modes")) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %s |%n", m.get("mode"), m.get("correct"),
                    m.get("answers"), percent((Double) m.get("accuracy"))));
        }
        md.append('\n');
        for (String mode : (List<String>) plan.get("modes")) {
            double[][] acc = new double[lengths.size()][depths.size()];
            boolean any = false;
            for (double[] row : acc) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            for (Map<String, Object> c : cells) {
                if (c.get("mode").equals(mode)) {
                    acc[lengths.indexOf((Integer) c.get("length"))][depths.indexOf((Double) c.get("depth_percent"))] =
                            (Double) c.get("accuracy");
                    any = true;
                }
            }
            if (!any) {
                continue;
            }
            String png = "needle-" + mode.replace("@", "-").replace("%", "pct") + ".png";
            Plots.heatmap(dir.resolve(png), "needle accuracy (%): " + mode, lengths, depths, acc);
            md.append("### ").append(mode).append("\n\n![").append(mode).append("](").append(png).append(")\n\n");
            md.append("| tokens \\ depth |");
            depths.forEach(d -> md.append(' ').append(number(d)).append("% |"));
            md.append("\n|---|").append("---|".repeat(depths.size())).append('\n');
            for (int y = 0; y < lengths.size(); y++) {
                md.append("| ").append(lengths.get(y)).append(" |");
                for (int x = 0; x < depths.size(); x++) {
                    md.append(' ').append(Double.isNaN(acc[y][x]) ? "–" : percent(acc[y][x])).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** The agreement report: one table and two charts over the page budget. */
    @SuppressWarnings("unchecked")
    static String agreement(Path dir, Map<String, Object> results) {
        List<Map<String, Object>> modes = (List<Map<String, Object>>) results.get("modes");
        StringBuilder md = header("agreement with full attention", results);
        md.append("Teacher-forced: full attention decodes greedily (the teacher); every mode reads the question ")
                .append("followed by full's answer in one pass, and its logits at step i are those after the question and ")
                .append("the first i teacher tokens (the causal mask hides the rest; sparse picks pages per token). ")
                .append("top-1: the same argmax as full; KL(full ‖ mode) ")
                .append("in nats per step; recall: the fraction of the exact softmax mass over the context keys that ")
                .append("sparse's selected pages hold (mean over layers, heads and sampled query tokens; min over ")
                .append("layer/head). Cost from the faster of two free-running greedy answers per mode and document ")
                .append("(the first of a mode runs while the JIT compiles): ms per decoded ")
                .append("token, K/V bytes read from the store per generated token (question pass included), pages ")
                .append("read per step and layer.\n\n");
        md.append("| mode | pages read | top-1 | first token | top-1 vs star | KL | recall mean | recall min | ms/token "
                + "| bytes/token | pages/step |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Map<String, Object> m : modes) {
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    m.get("mode"), m.containsKey("budget_fraction") ? percent((Double) m.get("budget_fraction")) : "all",
                    fmt(m.get("top1_agreement")), fmt(m.get("first_token_agreement")),
                    fmt(m.get("top1_agreement_with_star")), fmt(m.get("kl_mean")), fmt(m.get("recall_mean")),
                    fmt(m.get("recall_min_layer_head")), fmt(m.get("ms_per_decoded_token")),
                    fmt(m.get("bytes_read_per_token")), fmt(m.get("pages_per_step"))));
        }
        md.append('\n');
        List<Plots.Line> accuracy = new ArrayList<>();
        List<Plots.Line> bytes = new ArrayList<>();
        for (String attention : List.of("star", "sparse")) {
            List<Map<String, Object>> ms = modes.stream().filter(m -> m.get("attention").equals(attention)).toList();
            if (ms.isEmpty()) {
                continue;
            }
            double[] x = ms.stream().mapToDouble(m -> ((Number) m.get("budget_percent")).doubleValue()).toArray();
            accuracy.add(new Plots.Line(attention + " top-1 agreement", x, values(ms, "top1_agreement"), false));
            accuracy.add(new Plots.Line(attention + " first-token agreement", x, values(ms, "first_token_agreement"),
                    false));
            if (attention.equals("sparse")) {
                accuracy.add(new Plots.Line("sparse attention-mass recall", x, values(ms, "recall_mean"), false));
            }
            accuracy.add(new Plots.Line(attention + " ms per decoded token", x, values(ms, "ms_per_decoded_token"),
                    true));
            bytes.add(new Plots.Line(attention + " K/V bytes read per token", x, values(ms, "bytes_read_per_token"),
                    false));
            bytes.add(new Plots.Line(attention + " pages read per step and layer", x, values(ms, "pages_per_step"),
                    true));
        }
        Plots.budgetChart(dir.resolve("agreement.png"), "accuracy and cost vs page budget", "agreement / recall",
                "ms per decoded token", accuracy);
        Plots.budgetChart(dir.resolve("bytes.png"), "K/V read vs page budget", "bytes per token", "pages per step",
                bytes);
        md.append("![accuracy and cost](agreement.png)\n\n![bytes read](bytes.png)\n\n");
        return md.toString();
    }

    @SuppressWarnings("unchecked")
    private static StringBuilder header(String title, Map<String, Object> results) {
        StringBuilder md = new StringBuilder("# starspark eval: ").append(title).append("\n\n");
        md.append("- command: `").append(results.get("command")).append("`\n");
        md.append("- model: `").append(results.get("model")).append("`\n");
        md.append("- seed: ").append(((Map<String, Object>) results.get("plan")).get("seed")).append('\n');
        md.append("- settings: ").append(results.get("settings_summary")).append('\n');
        md.append("- time: ").append(duration((Double) results.get("seconds")));
        md.append(" in all; the planned runs ").append(duration((Double) results.get("planned_seconds")))
                .append(" (estimated ").append(duration((Double) results.get("estimated_seconds"))).append(')');
        md.append('\n');
        md.append("- plan:\n");
        ((Map<String, Object>) results.get("plan")).forEach((k, v) -> md.append("  - ").append(k).append(": ")
                .append(v).append('\n'));
        md.append("- every number: `results.json`\n\n");
        return md;
    }

    private static double[] values(List<Map<String, Object>> ms, String key) {
        return ms.stream().mapToDouble(m -> m.get(key) == null ? Double.NaN : ((Number) m.get(key)).doubleValue())
                .toArray();
    }

    private static String fmt(Object v) {
        if (v == null) {
            return "–";
        }
        if (v instanceof Double d) {
            return Math.abs(d) >= 1000 ? String.format(Locale.ROOT, "%.0f", d) : String.format(Locale.ROOT, "%.4g", d);
        }
        return v.toString();
    }

    static String percent(double fraction) {
        return number(100 * fraction) + "%";
    }

    /** 5.0 → "5", 2.5 → "2.5", 33.333 → "33.3". */
    static String number(double x) {
        if (x == Math.rint(x)) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", x)).stripTrailingZeros().toPlainString();
    }

    static String duration(double seconds) {
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        return String.format(Locale.ROOT, "%dm%02ds", (long) seconds / 60, (long) seconds % 60);
    }
}
