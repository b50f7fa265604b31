package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

import java.util.Set;

/**
 * Llama-family hyper-parameters, renamed once from GGUF keys ({@code <arch>.block_count} → layers, ...).
 * Validated in the constructor.
 */
public record LlamaConfig(String arch, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                          int vocabSize, double ropeTheta, int rotaryDim, float rmsEps, int contextLength,
                          boolean tiedOutput) {
    /**
     * Architectures whose graph this runtime implements. qwen2 is refused: llama.cpp runs it with
     * NEOX-style RoPE (rotating halves) and a gpt2 tokenizer, neither of which is implemented here.
     */
    public static final Set<String> ARCHITECTURES = Set.of("llama", "mistral");

    public LlamaConfig {
        if (!ARCHITECTURES.contains(arch)) {
            throw new IllegalArgumentException("unsupported architecture '" + arch + "' (supported: llama, mistral)");
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
        if (rotaryDim <= 0 || rotaryDim > headDim || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotaryDim must be even and in 2.." + headDim + " (got " + rotaryDim + ")");
        }
        if (!(ropeTheta > 0) || !(rmsEps > 0)) {
            throw new IllegalArgumentException("ropeTheta and rmsEps must be positive (got " + ropeTheta + ", " + rmsEps + ")");
        }
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
            throw new ModelFormatException(f.path(), "unsupported architecture '" + arch + "' (supported: llama, mistral)");
        }
        int dim = f.getInt(arch + ".embedding_length");
        int heads = f.getInt(arch + ".attention.head_count");
        int kvHeads = f.getInt(arch + ".attention.head_count_kv", heads);
        if (heads <= 0 || dim % heads != 0) {
            throw new ModelFormatException(f.path(), arch + ".embedding_length " + dim
                + " is not a multiple of head_count " + heads);
        }
        int headDim = dim / heads;
        int vocab = vocabSize(f, dim);
        try {
            return new LlamaConfig(arch, dim, f.getInt(arch + ".block_count"), heads, kvHeads, headDim,
                f.getInt(arch + ".feed_forward_length"), vocab, f.getDouble(arch + ".rope.freq_base", 10000.0),
                f.getInt(arch + ".rope.dimension_count", headDim),
                (float) f.getDouble(arch + ".attention.layer_norm_rms_epsilon"),
                f.getInt(arch + ".context_length"), !f.hasTensor("output.weight"));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path(), "invalid model config: " + e.getMessage(), e);
        }
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
