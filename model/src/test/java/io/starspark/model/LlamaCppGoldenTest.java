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
 * Greedy ids are compared over the comparable steps (counted from the recorded margins): the steps, from the start, whose
 * llama.cpp top-1/top-2 margin is at least twice the tolerance (a backend within the tolerance must pick
 * the same id there). For f32 that is all 32 steps. For the quantized types it is often none: with random weights
 * and a 128K-token vocabulary some early step's margin is below twice the tolerance, where llama.cpp's rounding of
 * the activations (which starspark does not do) may legitimately pick the other token; their greedy ids are
 * compared instead with llama.cpp's on the same weights widened to F32 (the golden's {@code reference}), over the
 * steps whose margin there is at least 2e-4.
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
     * + |reference - llama.cpp|, each type's tolerance is 1.25 x the largest llamaCppMaxAbsDiff of the three
     * families, rounded up to 0.01 (measured maxima: q8_0 0.102, q4_0 0.096, q4_1 0.113, q5_0 0.132, q5_1 0.102,
     * q4_k 0.129, q5_k 0.117, q6_k 0.162, q4_k_m 0.133; llama3-tiny, whose logits are largest, each time).
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
            checkReference(golden, g, logits, r.ids(), kernels);
        }
        int steps = comparableSteps(g.get("margins"), tol);
        System.out.printf("%s %s: greedy ids compared over %d of %d steps%n", golden, kernels.name(), steps,
            greedy.length);
        // a quantized golden's greedy ids are checked on its reference (checkReference) whatever this count is
        assertTrue(steps >= 1 || g.path("reference").has("greedy"), golden + ": no comparable greedy step");
        assertArrayEquals(Arrays.copyOf(greedy, steps), Arrays.copyOf(r.ids(), steps),
            golden + " " + kernels.name() + ": greedy continuation over its first " + steps + " steps");
    }

    /**
     * A quantized file's golden also holds llama.cpp's logits on the same weights widened to F32 (the exact answer
     * of the quantized weights). starspark multiplies f32 activations by the decoded weights, so it must match that
     * reference to f32 rounding (as on F32 files); llama.cpp, which rounds the activations to Q8_0/Q8_1/Q8_K blocks,
     * is the farther of the two, by its recorded {@code llamaCppMaxAbsDiff}.
     */
    private static void checkReference(String golden, JsonNode g, float[] logits, int[] ids, Kernels kernels) {
        JsonNode ref = g.get("reference");
        double worst = 0;
        double llamaWorst = 0;
        for (String part : new String[] {"top", "sampled"}) {
            JsonNode llama = g.get("firstStep").get(part);
            for (int i = 0; i < ref.get(part).size(); i++) {
                JsonNode e = ref.get(part).get(i);
                int id = e.get(0).asInt();
                worst = Math.max(worst, Math.abs(e.get(1).asDouble() - logits[id]));
                llamaWorst = Math.max(llamaWorst, Math.abs(e.get(1).asDouble() - llama.get(i).get(1).asDouble()));
            }
        }
        System.out.printf("%s %s: max |logit - reference| = %.3g; llama.cpp's: %.3g (%.3g over the vocabulary)%n",
            golden, kernels.name(), worst, llamaWorst, ref.get("llamaCppMaxAbsDiff").asDouble());
        assertTrue(worst <= REFERENCE_TOLERANCE, golden + " " + kernels.name() + ": starspark differs from the "
            + "dequantized reference by " + worst);
        assertTrue(worst < llamaWorst, golden + " " + kernels.name() + ": starspark (" + worst
            + ") is not closer to the dequantized reference than llama.cpp (" + llamaWorst + ")");
        if (ref.has("greedy")) {
            int[] greedy = ints(ref.get("greedy"));
            int steps = comparableSteps(ref.get("margins"), REFERENCE_TOLERANCE);
            System.out.printf("%s %s: greedy ids = llama.cpp's on the dequantized weights over %d of %d steps%n",
                golden, kernels.name(), steps, greedy.length);
            assertTrue(steps >= 1, golden + ": no comparable greedy step on the reference");
            assertArrayEquals(Arrays.copyOf(greedy, steps), Arrays.copyOf(ids, steps),
                golden + " " + kernels.name() + ": greedy continuation vs llama.cpp on the dequantized weights");
        }
    }

    /** The greedy steps, from the start, whose llama.cpp top-1/top-2 margin is at least twice {@code tol}. */
    static int comparableSteps(JsonNode margins, double tol) {
        int steps = 0;
        while (steps < margins.size() && margins.get(steps).asDouble() >= 2 * tol) {
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
