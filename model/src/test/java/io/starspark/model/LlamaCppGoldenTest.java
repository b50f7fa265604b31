package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.synth.SyntheticModels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * starspark's forward pass against llama.cpp: goldens written by {@code oracle/make-goldens.sh}
 * (node-llama-cpp on the same synthetic GGUF). The test regenerates each synthetic file from its shape,
 * dtype and seed and checks its sha256 first, so a golden never silently describes another file. Then the
 * greedy 32-token continuation must equal llama.cpp's ids and the first step's logits (top 20, 256 evenly
 * spaced ids, log-sum-exp, mean, rms) must agree within {@link #TOLERANCE} for the file's dtype.
 * <p>
 * Greedy ids are compared with llama.cpp's own run on the file over the comparable steps, counted from the recorded
 * margins: the steps, from the start, up to the first near-tie, where llama.cpp's top-1/top-2 margin is below
 * {@link #nearTie} of the dtype (there llama.cpp's rounding of the activations, which starspark does not do, may
 * legitimately pick the other token). Every golden compares at least {@link #MIN_COMPARED_STEPS} steps, so the
 * comparison never passes vacuously: {@code oracle/make-goldens.sh} keeps, of its candidate prompts, the one with the
 * longest run of steps above the near-tie margin. A quantized golden's ids are also compared with llama.cpp's on the
 * same weights widened to F32 (the golden's {@code reference}), over the steps whose margin there is at least 2e-4.
 */
class LlamaCppGoldenTest {
    /**
     * Absolute logit tolerance per weight type, measured (see the printed max differences) and justified:
     * f32: llama.cpp sums in float32 in its own order (SIMD dot products, float rope angles); starspark's
     * java backend also sums in float32 in another order: measured at most 4e-6 on logits of size ~3.
     * f16: llama.cpp rounds every activation to f16 before an F16 matmul (ggml's vec_dot_type for F16);
     * starspark keeps activations in f32: relative 2^-11 per input, accumulated over 2 layers; measured at
     * most 2.6e-3 (llama3/qwen2/qwen3-tiny), so 1e-2.
     * Quantized types (q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, q4_k_m): llama.cpp rounds the activations
     * to Q8_0 (q8_0, q4_0, q5_0), Q8_1 (q4_1, q5_1) or Q8_K (k-quants) blocks before its integer dot products;
     * starspark multiplies f32 activations by the decoded weights. Which of the two is exact is measured on each
     * golden's {@code reference} (llama.cpp on the same weights widened to F32): starspark is within 1e-5 of it
     * ({@link #REFERENCE_TOLERANCE}, checked), llama.cpp differs from it by its recorded
     * {@code llamaCppMaxAbsDiff} over the whole vocabulary. Since |starspark - llama.cpp| &le; |starspark - reference|
     * + |reference - llama.cpp|, each type's tolerance was set at 1.25 x the largest llamaCppMaxAbsDiff of the three
     * families on the first goldens' prompts, rounded up to 0.01 (maxima then: q8_0 0.102, q4_0 0.096, q4_1 0.113,
     * q5_0 0.132, q5_1 0.102, q4_k 0.129, q5_k 0.117, q6_k 0.162, q4_k_m 0.133). On the prompts chosen since for
     * their run of steps above the near-tie margin the maxima are q8_0 0.114, q4_0 0.086, q4_1 0.080, q5_0 0.120,
     * q5_1 0.122, q4_k 0.117, q5_k 0.096, q6_k 0.135, q4_k_m 0.169: still within each tolerance, but q8_0, q5_1 and
     * q4_k_m no longer by the 1.25 margin (q4_k_m by 0.001).
     */
    static final Map<String, Double> TOLERANCE = Map.ofEntries(Map.entry("f32", 1e-4), Map.entry("f16", 1e-2),
        Map.entry("q8_0", 0.13), Map.entry("q4_0", 0.12), Map.entry("q4_1", 0.15), Map.entry("q5_0", 0.17),
        Map.entry("q5_1", 0.13), Map.entry("q4_k", 0.17), Map.entry("q5_k", 0.15), Map.entry("q6_k", 0.21),
        Map.entry("q4_k_m", 0.17));

    /**
     * starspark against llama.cpp on the dequantized weights widened to F32 ({@code reference} of a quantized
     * golden): both then compute in f32 on the same weights, so the F32 tolerance (measured 1.6e-6..5.5e-6).
     */
    static final double REFERENCE_TOLERANCE = 1e-4;

    /**
     * The fewest greedy steps compared with llama.cpp's own run on any golden: {@code oracle/make-goldens.sh} keeps the
     * first candidate prompt whose first 5 steps (ENOUGH) are above the near-tie margin (measured on the quantized
     * goldens: 5-18 steps; f32 and f16: all 32).
     */
    static final int MIN_COMPARED_STEPS = 5;

    /**
     * A near-tie at a quantized golden's greedy step is a difference between the top two of llama.cpp's logits
     * that its activation rounding could flip. Where llama.cpp's error e = llama.cpp - reference is bounded by the
     * dtype's tolerance t on each logit, a margin of 2t can never flip, but that bound is loose: the margin moves
     * by e(top1) - e(top2), the difference of two errors of rms sigma, measured on each golden's 276 recorded logits
     * (top 20 and the evenly spaced ones, against its {@code reference}) at 0.013-0.035. Every tolerance is at least
     * {@link #NEAR_TIE_SIGMAS} times the rms sqrt(2) sigma of that difference (checked per golden; measured 3.4-9.6),
     * so a margin of t is flipped with probability below 1.2e-3 per compared step (two-sided normal tail at 3.25);
     * the margin of a near-tie is t. For f32 and f16 (no activation rounding to model), the rigorous 2t.
     */
    static final double NEAR_TIE_SIGMAS = 3.25;

    private static final Path DIR = Path.of("src/test/resources/golden");
    private static Path scratch;
    private static JavaKernels java;

    @BeforeAll
    static void setUp() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        scratch = Files.createTempDirectory("llamacpp-golden");
        java = new JavaKernels(2);
    }

    @AfterAll
    static void tearDown() throws IOException {
        java.close();
        try (Stream<Path> files = Files.list(scratch)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(scratch);
    }

    static List<String> goldens() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            List<String> names = files.map(p -> p.getFileName().toString())
                .filter(n -> n.startsWith("llamacpp-") && n.endsWith(".json")).sorted().toList();
            assertFalse(names.isEmpty(), "no llamacpp-*.json goldens in " + DIR.toAbsolutePath());
            return names;
        }
    }

    /** Both backends: the fast java one and the float64 reference twin. */
    @ParameterizedTest
    @MethodSource("goldens")
    void matchesLlamaCpp(String golden) {
        JsonNode g = read(DIR.resolve(golden));
        LlamaModel m = regenerate(golden, g.get("model"));
        check(golden, g, m, java);
        check(golden, g, m, new ReferenceKernels());
    }

    /**
     * Writes the synthetic file the golden was made from (its real vocabulary from the oracle's tokenizer
     * files: the test fails, asking for npm ci, when they are missing) and checks it is byte-identical.
     */
    private static LlamaModel regenerate(String golden, JsonNode file) {
        SyntheticModels.Shape shape = SyntheticModels.shape(file.get("shape").asText());
        Path tokenizerDir = shape.tokenizer() == null ? null : Oracle.tokenizerDir(shape.tokenizer());
        Path gguf = scratch.resolve(golden.replace(".json", ".gguf"));
        SyntheticModels.write(shape.name(), file.get("dtype").asText(), file.get("seed").asLong(), tokenizerDir,
            gguf);
        assertEquals(file.get("sha256").asText(), LlamaModel.sha256(gguf),
            "regenerated " + gguf.getFileName() + " differs from the file llama.cpp answered for: regenerate the "
                + "goldens (oracle/make-goldens.sh) if the synthetic models changed on purpose");
        LlamaModel m = LlamaModel.load(gguf);
        try {
            Files.delete(gguf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    private static void check(String golden, JsonNode g, LlamaModel m, Kernels kernels) {
        String dtype = g.get("model").get("dtype").asText();
        int[] prompt = ints(g.get("prompt"));
        int[] greedy = ints(g.get("greedy"));
        Generator.Result r = new Generator(m, kernels).generate(prompt, 0, null, greedy.length, Sampler.greedy(), -1);

        JsonNode first = g.get("firstStep");
        float[] logits = r.firstLogits();
        assertEquals(first.get("vocab").asInt(), logits.length, "vocab");
        double tol = TOLERANCE.get(dtype);
        double worst = 0;
        for (String part : new String[] {"top", "sampled"}) {
            for (JsonNode e : first.get(part)) {
                int id = e.get(0).asInt();
                double diff = Math.abs(e.get(1).asDouble() - logits[id]);
                worst = Math.max(worst, diff);
                assertEquals(e.get(1).asDouble(), logits[id], tol, golden + " " + kernels.name() + ": logit of " + id);
            }
        }
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        double sumSq = 0;
        for (float v : logits) {
            max = Math.max(max, v);
            sum += v;
            sumSq += (double) v * v;
        }
        double weight = 0;
        for (float v : logits) {
            weight += Math.exp(v - max);
        }
        assertEquals(first.get("logSumExp").asDouble(), max + Math.log(weight), tol, golden + ": log-sum-exp");
        assertEquals(first.get("mean").asDouble(), sum / logits.length, tol, golden + ": mean logit");
        assertEquals(first.get("rms").asDouble(), Math.sqrt(sumSq / logits.length), tol, golden + ": rms logit");
        System.out.printf("%s %s: max |logit - llama.cpp| = %.3g (tolerance %.3g)%n", golden, kernels.name(),
            worst, tol);
        if (g.has("reference")) {
            checkReference(golden, g, logits, r.ids(), kernels, tol);
        }
        int steps = comparableSteps(g.get("margins"), nearTie(dtype));
        System.out.printf("%s %s: greedy ids = llama.cpp's own over %d of %d steps (up to the first margin below %.3g)%n",
            golden, kernels.name(), steps, greedy.length, nearTie(dtype));
        assertTrue(steps >= MIN_COMPARED_STEPS, golden + ": only " + steps + " greedy steps before llama.cpp's first "
            + "near-tie (margin < " + nearTie(dtype) + "); regenerate the golden with more CANDIDATES");
        assertArrayEquals(Arrays.copyOf(greedy, steps), Arrays.copyOf(r.ids(), steps),
            golden + " " + kernels.name() + ": greedy continuation over its first " + steps + " steps");
    }

    /**
     * A quantized file's golden also holds llama.cpp's logits on the same weights widened to F32 (the exact answer
     * of the quantized weights). starspark multiplies f32 activations by the decoded weights, so it must match that
     * reference to f32 rounding (as on F32 files); llama.cpp, which rounds the activations to Q8_0/Q8_1/Q8_K blocks,
     * is the farther of the two, by its recorded {@code llamaCppMaxAbsDiff}.
     */
    private static void checkReference(String golden, JsonNode g, float[] logits, int[] ids, Kernels kernels,
                                       double tol) {
        JsonNode ref = g.get("reference");
        double worst = 0;
        double llamaWorst = 0;
        double llamaSumSq = 0;
        int n = 0;
        for (String part : new String[] {"top", "sampled"}) {
            JsonNode llama = g.get("firstStep").get(part);
            for (int i = 0; i < ref.get(part).size(); i++) {
                JsonNode e = ref.get(part).get(i);
                int id = e.get(0).asInt();
                assertEquals(id, llama.get(i).get(0).asInt(), golden + ": the reference's ids are llama.cpp's");
                worst = Math.max(worst, Math.abs(e.get(1).asDouble() - logits[id]));
                double llamaError = llama.get(i).get(1).asDouble() - e.get(1).asDouble();
                llamaWorst = Math.max(llamaWorst, Math.abs(llamaError));
                llamaSumSq += llamaError * llamaError;
                n++;
            }
        }
        double sigma = Math.sqrt(llamaSumSq / n);
        System.out.printf("%s %s: max |logit - reference| = %.3g; llama.cpp's: %.3g (%.3g over the vocabulary, rms %.3g:"
                + " tolerance = %.1f x sqrt(2) rms)%n", golden, kernels.name(), worst, llamaWorst,
            ref.get("llamaCppMaxAbsDiff").asDouble(), sigma, tol / (Math.sqrt(2) * sigma));
        assertTrue(tol >= NEAR_TIE_SIGMAS * Math.sqrt(2) * sigma, golden + ": llama.cpp's logit error (rms " + sigma
            + ") is too large for its near-tie margin " + tol + " (NEAR_TIE_SIGMAS)");
        assertTrue(worst <= REFERENCE_TOLERANCE, golden + " " + kernels.name() + ": starspark differs from the "
            + "dequantized reference by " + worst);
        assertTrue(worst < llamaWorst, golden + " " + kernels.name() + ": starspark (" + worst
            + ") is not closer to the dequantized reference than llama.cpp (" + llamaWorst + ")");
        if (ref.has("greedy")) {
            int[] greedy = ints(ref.get("greedy"));
            int steps = comparableSteps(ref.get("margins"), 2 * REFERENCE_TOLERANCE);
            System.out.printf("%s %s: greedy ids = llama.cpp's on the dequantized weights over %d of %d steps%n",
                golden, kernels.name(), steps, greedy.length);
            assertTrue(steps >= 1, golden + ": no comparable greedy step on the reference");
            assertArrayEquals(Arrays.copyOf(greedy, steps), Arrays.copyOf(ids, steps),
                golden + " " + kernels.name() + ": greedy continuation vs llama.cpp on the dequantized weights");
        }
    }

    /** The top-1/top-2 margin of llama.cpp's logits below which a greedy step of {@code dtype} is a near-tie. */
    static double nearTie(String dtype) {
        double tol = TOLERANCE.get(dtype);
        return dtype.equals("f32") || dtype.equals("f16") ? 2 * tol : tol;
    }

    /** The greedy steps, from the start, whose llama.cpp top-1/top-2 margin is at least {@code minMargin}. */
    static int comparableSteps(JsonNode margins, double minMargin) {
        int steps = 0;
        while (steps < margins.size() && margins.get(steps).asDouble() >= minMargin) {
            steps++;
        }
        return steps;
    }

    private static JsonNode read(Path p) {
        try {
            return new ObjectMapper().readTree(p.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int[] ints(JsonNode a) {
        int[] out = new int[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asInt();
        }
        return out;
    }
}
