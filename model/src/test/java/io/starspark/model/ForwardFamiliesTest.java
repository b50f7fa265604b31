package io.starspark.model;

import io.starspark.kernels.ReferenceKernels;
import io.starspark.kernels.Rope;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.model.synth.SyntheticModels.Family;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The forward pass of every family against a plain float64 Llama written here, from the file's tensors and
 * the settings this test chose (not from {@link LlamaConfig}'s reading of them): adjacent and NEOX rope,
 * partial rotary dims, linear rope scaling, Llama 3 frequency factors, Q/K/V biases (qwen2), per-head Q/K norms
 * with heads·headDim ≠ dim (qwen3), grouped K/V heads, tied and separate output, and a second batch that
 * continues the cache at later positions. The shapes are small, so this is the fast judge of Forward and of the
 * loading code (mutation testing runs it per mutant); {@link LlamaCppGoldenTest} judges the same families
 * against llama.cpp on the real vocabularies.
 */
class ForwardFamiliesTest {
    private static final long SEED = Long.getLong("starspark.test.seed", 20261202L);
    private static final int DIM = 32;
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int KV_HEADS = 2;
    private static final int FFN = 48;
    private static final int VOCAB = 320;
    /**
     * Reference kernels round every intermediate to float: measured at most 8.2e-7 over the six models at the
     * default seed (logits of size ~1); a misplaced norm, bias or rotation moves logits by 1e-2 and more.
     */
    private static final double TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    /**
     * One model: family, head dim, rotary dims, linear rope factor; what the reference needs besides the tensors.
     * Llama (untied output, norms 1) has headDim dim/heads; the other families tie the output and draw their norms
     * and biases at random.
     */
    record Case(String name, Family family, int headDim, int rotaryDim, float linear, double theta, float eps) {
        boolean neox() {
            return family == Family.QWEN2 || family == Family.QWEN3;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
            new Case("llama", Family.LLAMA, 8, 8, 1f, 10000, 1e-5f),
            new Case("llama, 4 of 8 dims rotate, linear scaling 4", Family.LLAMA, 8, 4, 4f, 10000, 1e-5f),
            new Case("llama3 frequency factors", Family.LLAMA3, 8, 8, 1f, 500000, 1e-5f),
            new Case("llama3 frequency factors and linear scaling 2", Family.LLAMA3, 8, 8, 2f, 500000, 1e-5f),
            new Case("qwen2 biases", Family.QWEN2, 8, 8, 1f, 1e6, 1e-6f),
            new Case("qwen3 Q/K norms, heads of 16", Family.QWEN3, 16, 16, 1f, 1e6, 1e-6f));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void logitsEqualAPlainFloat64Llama(Case c) {
        System.out.println("ForwardFamiliesTest seed " + SEED + " (" + c + ")");
        SyntheticModels.Shape shape = new SyntheticModels.Shape("families", c.family(), DIM, LAYERS, HEADS, KV_HEADS,
            c.headDim(), FFN, VOCAB, 4096, (float) c.theta(), c.eps(), null);
        String arch = c.family().arch();
        GgufWriter w = SyntheticModels.writer(shape, "f32", SEED).putUint32(arch + ".rope.dimension_count", c.rotaryDim());
        if (c.linear() != 1f) {
            w.putString(arch + ".rope.scaling.type", "linear").putFloat32(arch + ".rope.scaling.factor", c.linear());
        }
        Path p = dir.resolve("model.gguf");
        w.write(p);

        SplittableRandom r = new SplittableRandom(SEED);
        int[] tokens = new int[8];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = r.nextInt(VOCAB);
        }
        int[] positions = Stories.range(5, 5 + tokens.length); // not from 0: a position mix-up changes the answer
        double[][] expected;
        try (GgufFile f = GgufFile.open(p)) {
            expected = reference(f, c, tokens, positions);
        }

        LlamaModel m = LlamaModel.load(p);
        LlamaConfig config = m.config();
        assertEquals(c.family() != Family.LLAMA, config.tiedOutput(), "tied output");
        assertEquals(c.headDim(), config.headDim());
        assertEquals(c.rotaryDim(), config.rope().rotaryDim());
        assertEquals(c.neox() ? Rope.Style.NEOX : Rope.Style.ADJACENT, config.rope().style());

        Forward fwd = new Forward(m, new ReferenceKernels());
        assertSame(m, fwd.model());
        KvCache cache = KvCache.forModel(config);
        int split = 5;
        float[] first = fwd.forward(Arrays.copyOf(tokens, split), Arrays.copyOf(positions, split), cache, null,
            Logits.ALL);
        float[] rest = fwd.forward(Arrays.copyOfRange(tokens, split, tokens.length),
            Arrays.copyOfRange(positions, split, tokens.length), cache, null, Logits.ALL);
        assertEquals(tokens.length, cache.length());
        float[] last = new Forward(m, new ReferenceKernels()).forward(tokens, positions, KvCache.forModel(config), null,
            Logits.LAST);
        assertNull(new Forward(m, new ReferenceKernels()).forward(tokens, positions, KvCache.forModel(config), null,
            Logits.NONE));
        double worst = 0;
        for (int t = 0; t < tokens.length; t++) {
            float[] got = t < split ? Arrays.copyOfRange(first, t * VOCAB, (t + 1) * VOCAB)
                : Arrays.copyOfRange(rest, (t - split) * VOCAB, (t - split + 1) * VOCAB);
            for (int v = 0; v < VOCAB; v++) {
                worst = Math.max(worst, Math.abs(expected[t][v] - got[v]));
                assertEquals(expected[t][v], got[v], TOLERANCE, c + ": token " + t + ", logit " + v);
            }
        }
        for (int v = 0; v < VOCAB; v++) {
            assertEquals(expected[tokens.length - 1][v], last[v], TOLERANCE, c + ": last token, logit " + v);
        }
        System.out.printf("ForwardFamiliesTest %s: max |logit - float64 reference| = %.3g%n", c, worst);
    }

    /** Logits [tokens][vocab] of the whole sequence, causal, in float64. */
    private static double[][] reference(GgufFile f, Case c, int[] tokens, int[] positions) {
        int n = tokens.length;
        int hd = c.headDim();
        int qDim = HEADS * hd;
        int kvDim = KV_HEADS * hd;
        float[] embedding = f.floats("token_embd.weight"); // [vocab][dim]
        double[][] x = new double[n][DIM]; // [tokens][dim] residual stream
        for (int t = 0; t < n; t++) {
            for (int i = 0; i < DIM; i++) {
                x[t][i] = embedding[tokens[t] * DIM + i];
            }
        }
        float[] factors = c.family() == Family.LLAMA3 ? f.floats("rope_freqs.weight") : null; // [rotaryDim/2]
        for (int l = 0; l < LAYERS; l++) {
            String p = "blk." + l + ".";
            double[][] h = rmsnorm(x, f.floats(p + "attn_norm.weight"), DIM, c.eps());
            double[][] q = matmul(h, f.floats(p + "attn_q.weight"), qDim);
            double[][] k = matmul(h, f.floats(p + "attn_k.weight"), kvDim);
            double[][] v = matmul(h, f.floats(p + "attn_v.weight"), kvDim);
            if (c.family() == Family.QWEN2) {
                addBias(q, f.floats(p + "attn_q.bias"));
                addBias(k, f.floats(p + "attn_k.bias"));
                addBias(v, f.floats(p + "attn_v.bias"));
            }
            if (c.family() == Family.QWEN3) {
                q = headNorm(q, f.floats(p + "attn_q_norm.weight"), HEADS, hd, c.eps());
                k = headNorm(k, f.floats(p + "attn_k_norm.weight"), KV_HEADS, hd, c.eps());
            }
            rope(q, HEADS, c, factors, positions);
            rope(k, KV_HEADS, c, factors, positions);
            double[][] att = new double[n][qDim]; // [tokens][heads][headDim]
            int group = HEADS / KV_HEADS;
            for (int t = 0; t < n; t++) {
                for (int head = 0; head < HEADS; head++) {
                    int kv = head / group;
                    double[] score = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double s = 0;
                        for (int d = 0; d < hd; d++) {
                            s += q[t][head * hd + d] * k[j][kv * hd + d];
                        }
                        score[j] = s / Math.sqrt(hd);
                        max = Math.max(max, score[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= t; j++) {
                        score[j] = Math.exp(score[j] - max);
                        sum += score[j];
                    }
                    for (int j = 0; j <= t; j++) {
                        for (int d = 0; d < hd; d++) {
                            att[t][head * hd + d] += score[j] / sum * v[j][kv * hd + d];
                        }
                    }
                }
            }
            addInto(x, matmul(att, f.floats(p + "attn_output.weight"), DIM));
            h = rmsnorm(x, f.floats(p + "ffn_norm.weight"), DIM, c.eps());
            double[][] gate = matmul(h, f.floats(p + "ffn_gate.weight"), FFN);
            double[][] up = matmul(h, f.floats(p + "ffn_up.weight"), FFN);
            for (int t = 0; t < n; t++) {
                for (int i = 0; i < FFN; i++) {
                    gate[t][i] = gate[t][i] / (1 + Math.exp(-gate[t][i])) * up[t][i];
                }
            }
            addInto(x, matmul(gate, f.floats(p + "ffn_down.weight"), DIM));
        }
        double[][] h = rmsnorm(x, f.floats("output_norm.weight"), DIM, c.eps());
        return matmul(h, c.family() == Family.LLAMA ? f.floats("output.weight") : embedding, VOCAB);
    }

    /** {@code y[t] = W x[t]}, W [out][in] as GGUF stores it (dims [in, out]). */
    private static double[][] matmul(double[][] x, float[] w, int out) {
        int in = x[0].length;
        assertEquals((long) in * out, w.length, "matrix size");
        double[][] y = new double[x.length][out];
        for (int t = 0; t < x.length; t++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) {
                    s += w[o * in + i] * x[t][i];
                }
                y[t][o] = s;
            }
        }
        return y;
    }

    private static double[][] rmsnorm(double[][] x, float[] w, int n, float eps) {
        double[][] y = new double[x.length][n];
        for (int t = 0; t < x.length; t++) {
            double ss = 0;
            for (int i = 0; i < n; i++) {
                ss += x[t][i] * x[t][i];
            }
            double scale = 1 / Math.sqrt(ss / n + eps);
            for (int i = 0; i < n; i++) {
                y[t][i] = x[t][i] * scale * w[i];
            }
        }
        return y;
    }

    /** RMS norm of each head ([heads][hd] per token) with one weight vector [hd] shared by the heads. */
    private static double[][] headNorm(double[][] x, float[] w, int heads, int hd, float eps) {
        double[][] y = new double[x.length][heads * hd];
        for (int t = 0; t < x.length; t++) {
            for (int head = 0; head < heads; head++) {
                double[][] one = rmsnorm(new double[][] {Arrays.copyOfRange(x[t], head * hd, (head + 1) * hd)}, w, hd,
                    eps);
                System.arraycopy(one[0], 0, y[t], head * hd, hd);
            }
        }
        return y;
    }

    /**
     * llama.cpp's rope: pair i turns by position · theta^(-2i/rotaryDim) / (factor[i] · linear); adjacent pairs
     * (2i, 2i+1) or NEOX halves (i, i + rotaryDim/2); dims past rotaryDim stay.
     */
    private static void rope(double[][] x, int heads, Case c, float[] factors, int[] positions) {
        int rot = c.rotaryDim();
        for (int t = 0; t < x.length; t++) {
            for (int head = 0; head < heads; head++) {
                int base = head * c.headDim();
                for (int i = 0; i < rot / 2; i++) {
                    double angle = positions[t] * Math.pow(c.theta(), -2.0 * i / rot)
                        / ((factors == null ? 1 : factors[i]) * c.linear());
                    int a = base + (c.neox() ? i : 2 * i);
                    int b = base + (c.neox() ? i + rot / 2 : 2 * i + 1);
                    double x0 = x[t][a];
                    double x1 = x[t][b];
                    x[t][a] = x0 * Math.cos(angle) - x1 * Math.sin(angle);
                    x[t][b] = x0 * Math.sin(angle) + x1 * Math.cos(angle);
                }
            }
        }
    }

    private static void addBias(double[][] y, float[] bias) {
        for (double[] row : y) {
            for (int i = 0; i < bias.length; i++) {
                row[i] += bias[i];
            }
        }
    }

    private static void addInto(double[][] acc, double[][] y) {
        for (int t = 0; t < acc.length; t++) {
            for (int i = 0; i < acc[t].length; i++) {
                acc[t][i] += y[t][i];
            }
        }
    }
}
