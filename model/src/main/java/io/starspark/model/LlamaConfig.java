package io.starspark.model;

import io.starspark.kernels.Rope;
import io.starspark.model.gguf.GgufFile;

import java.util.Set;

/**
 * Llama-family hyper-parameters, renamed once from GGUF keys ({@code <arch>.block_count} → layers, ...).
 * Validated in the constructor. The families differ only in what {@link Forward} reads from here and from
 * the weights: llama/mistral rotate adjacent pairs (Llama 3 adds per-pair frequency factors), qwen2 and
 * qwen3 rotate NEOX halves, qwen2 adds Q/K/V biases (weights), qwen3 RMS-normalizes each Q and K head
 * before RoPE ({@link #qkNorm()}).
 *
 * @param headDim       {@code <arch>.attention.key_length}, else dim / heads (Qwen3 has heads·headDim ≠ dim)
 * @param contextLength the length the model was trained for ({@code <arch>.context_length}); longer inputs run
 *                      but are warned about
 */
public record LlamaConfig(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                          int vocabSize, Rope rope, float rmsEps, int contextLength, boolean tiedOutput) {
    /** Architectures whose graph this runtime implements ({@code general.architecture}). */
    public static final Set<String> ARCHITECTURES = Set.of("llama", "mistral", "qwen2", "qwen3");

    public LlamaConfig {
        if (!ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException(unsupported(arch));
        }
        positive("dim", dim);
        positive("layers", layers);
        positive("heads", heads);
        positive("kvHeads", kvHeads);
        positive("headDim", headDim);
        positive("ffnDim", ffnDim);
        positive("vocabSize", vocabSize);
        positive("contextLength", contextLength);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        if (rope == null) {
            throw new IllegalArgumentException("rope settings must be given");
        }
        rope.requireFits(headDim);
        if (rope.style() != ropeStyle(arch)) {
            throw new IllegalArgumentException(arch + " uses " + ropeStyle(arch) + " rope (got " + rope.style() + ")");
        }
        if (!(rmsEps > 0)) {
            throw new IllegalArgumentException("rmsEps must be positive (got " + rmsEps + ")");
        }
    }

    /** Plain llama config with adjacent-pair rope (tests, synthetic models). */
    public static LlamaConfig llama(int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                                    int vocabSize, double ropeTheta, int rotaryDim, float rmsEps,
                                    int contextLength, boolean tiedOutput) {
        return new LlamaConfig("llama", dim, layers, heads, kvHeads, headDim, ffnDim, vocabSize,
            Rope.adjacent(rotaryDim, ropeTheta), rmsEps, contextLength, tiedOutput);
    }

    /** How an architecture pairs dims in RoPE (llama.cpp's rope type per architecture). */
    static Rope.Style ropeStyle(String arch) {
        return arch.startsWith("qwen") ? Rope.Style.NEOX : Rope.Style.ADJACENT;
    }

    /** Whether each Q and K head is RMS-normalized before RoPE ({@code attn_q_norm}, {@code attn_k_norm}). */
    public boolean qkNorm() {
        return arch.equals("qwen3");
    }

    private static String unsupported(String arch) {
        return "unsupported architecture '" + arch + "' (supported: llama, mistral, qwen2, qwen3)";
    }

    private static void positive(String name, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + " must be positive (got " + v + ")");
        }
    }

    /** Width of the K/V rows of one token: kvHeads · headDim. */
    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Width of the Q rows of one token: heads · headDim. */
    public int qDim() {
        return heads * headDim;
    }

    /** Reads the config from GGUF metadata and tensor shapes; errors name the file and the problem. */
    public static LlamaConfig from(GgufFile f) {
        String arch = f.getString("general.architecture");
        if (!ARCHITECTURES.contains(arch)) {
            throw new ModelFormatException(f.path(), unsupported(arch));
        }
        int dim = f.getInt(arch + ".embedding_length");
        int heads = f.getInt(arch + ".attention.head_count");
        int kvHeads = f.getInt(arch + ".attention.head_count_kv", heads);
        if (heads <= 0 || (!f.has(arch + ".attention.key_length") && dim % heads != 0)) {
            throw new ModelFormatException(f.path(), arch + ".embedding_length " + dim
                + " is not a multiple of head_count " + heads);
        }
        int headDim = f.getInt(arch + ".attention.key_length", dim / heads);
        int valueDim = f.getInt(arch + ".attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new ModelFormatException(f.path(), arch + ".attention.value_length " + valueDim
                + " differs from key_length " + headDim + " (unsupported)");
        }
        int vocab = vocabSize(f, dim);
        try {
            return new LlamaConfig(arch, dim, f.getInt(arch + ".block_count"), heads, kvHeads, headDim,
                f.getInt(arch + ".feed_forward_length"), vocab, rope(f, arch, headDim),
                (float) f.getDouble(arch + ".attention.layer_norm_rms_epsilon"),
                f.getInt(arch + ".context_length"), !f.hasTensor("output.weight"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path(), "invalid model config: " + e.getMessage(), e);
        }
    }

    /**
     * RoPE as llama.cpp sets it up: frequency factors from the {@code rope_freqs.weight} tensor (Llama 3.x),
     * times a linear scaling factor ({@code <arch>.rope.scaling.type = linear}: positions scaled by
     * 1/factor, the same as dividing every frequency by it). Other scaling types (yarn, longrope) are refused.
     */
    private static Rope rope(GgufFile f, String arch, int headDim) {
        int rotaryDim = f.getInt(arch + ".rope.dimension_count", headDim);
        double theta = f.getDouble(arch + ".rope.freq_base", 10000.0);
        float[] factors = null;
        if (f.hasTensor("rope_freqs.weight")) {
            long[] d = f.tensor("rope_freqs.weight").dims();
            if (d.length != 1 || d[0] != rotaryDim / 2) {
                throw new ModelFormatException(f.path(), "tensor 'rope_freqs.weight' has shape "
                    + java.util.Arrays.toString(d) + ", expected [" + rotaryDim / 2 + "]");
            }
            factors = f.floats("rope_freqs.weight");
        }
        double linear = linearScaling(f, arch);
        if (linear != 1.0) {
            if (factors == null) {
                factors = new float[rotaryDim / 2];
                java.util.Arrays.fill(factors, 1f);
            }
            for (int i = 0; i < factors.length; i++) {
                factors[i] = (float) (factors[i] * linear);
            }
        }
        try {
            return new Rope(ropeStyle(arch), rotaryDim, theta, factors);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path(), "invalid rope settings: " + e.getMessage(), e);
        }
    }

    /** The linear RoPE scaling factor (1 when none); a scaling type other than none/linear is refused. */
    private static double linearScaling(GgufFile f, String arch) {
        String type = f.has(arch + ".rope.scaling.type") ? f.getString(arch + ".rope.scaling.type") : "none";
        double factor = f.getDouble(arch + ".rope.scaling.factor", f.getDouble(arch + ".rope.scale_linear", 1.0));
        if (type.equals("none") && !f.has(arch + ".rope.scale_linear")) {
            return 1.0;
        }
        if (!type.equals("linear") && !type.equals("none")) {
            throw new ModelFormatException(f.path(), "unsupported rope scaling type '" + type
                + "' (supported: none, linear, and Llama 3 rope_freqs)");
        }
        if (!(factor > 0)) {
            throw new ModelFormatException(f.path(), "rope scaling factor must be positive (got " + factor + ")");
        }
        return factor;
    }

    /** Vocab size from the tokenizer; must equal the embedding's row count. */
    private static int vocabSize(GgufFile f, int dim) {
        int tokens = f.getArray("tokenizer.ggml.tokens").elements().size();
        long[] dims = f.tensor("token_embd.weight").dims();
        if (dims.length != 2 || dims[0] != dim || dims[1] != tokens) {
            throw new ModelFormatException(f.path(), "vocab/embedding size mismatch: tokenizer has " + tokens
                + " tokens, token_embd.weight is " + java.util.Arrays.toString(dims) + " (expected [" + dim + ", " + tokens + "])");
        }
        return tokens;
    }
}
