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
 * Random-weight Llama GGUF files of known shapes (for scaling benchmarks: {@code make-model}).
 * Weights are normal with std 1/sqrt(fan_in), deterministic from the seed; norms are 1.
 * Tensors stream to disk row by row (a 1b f32 file is ~4.5 GB).
 * <ul>
 *   <li>{@code stories260k}: dim 64, 5 layers, 8 heads, 4 KV heads, FFN 172, vocab 512.</li>
 *   <li>{@code 110m}: dim 768, 12 layers, 12 heads, 12 KV heads, FFN 2048, vocab 32000.</li>
 *   <li>{@code 1b}: Llama-3.2-1B's blocks (dim 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192, rope theta
 *       500000) but vocab 32000 instead of 128256, to keep files smaller.</li>
 * </ul>
 * The matrix types per dtype are {@link TensorTypes}' (e.g. ffn_down of stories260k, row length 172, falls
 * back to F16 as llama.cpp's quantizer does). Norms are always F32.
 */
public final class SyntheticModels {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private SyntheticModels() {
    }

    /** One model shape. */
    public record Shape(String name, int dim, int layers, int heads, int kvHeads, int ffn, int vocab,
                        int contextLength, float ropeTheta) {
    }

    public static Shape shape(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "stories260k" -> new Shape("stories260k", 64, 5, 8, 4, 172, 512, 2048, 10000f);
            case "110m" -> new Shape("110m", 768, 12, 12, 12, 2048, 32000, 2048, 10000f);
            case "1b" -> new Shape("1b", 2048, 16, 32, 8, 8192, 32000, 131072, 500000f);
            default -> throw new UserError("unknown model shape '" + name
                + "' (expected stories260k, 110m or 1b)");
        };
    }

    /** Writes a model of {@code shape} with matrices in {@code dtype} ({@link TensorTypes#CHOICES}) to {@code out}. */
    public static void write(String shape, String dtype, long seed, Path out) {
        writer(shape(shape), dtype, seed).write(out);
    }

    /** The configured writer (not yet written): tests override keys on it to make broken files. */
    public static GgufWriter writer(Shape s, String dtype, long seed) {
        TensorTypes types = TensorTypes.of(dtype);
        GgufWriter w = new GgufWriter();
        metadata(w, s);
        tokenizer(w, SyntheticVocab.of(s.vocab()));
        int[] index = {0};
        java.util.function.BiConsumer<String, long[]> matrix = (name, dims) ->
            w.tensor(name, types.typeFor(name, dims[0], s.layers()), dims, gaussian(seed, index[0]++, dims[0]));
        java.util.function.Consumer<String> norm = name -> w.tensor(name, GgmlType.F32, new long[]{s.dim()},
            (r, dst) -> Arrays.fill(dst, 1f));
        int headDim = s.dim() / s.heads();
        matrix.accept("token_embd.weight", new long[]{s.dim(), s.vocab()});
        for (int l = 0; l < s.layers(); l++) {
            String p = "blk." + l + ".";
            norm.accept(p + "attn_norm.weight");
            matrix.accept(p + "attn_q.weight", new long[]{s.dim(), s.dim()});
            matrix.accept(p + "attn_k.weight", new long[]{s.dim(), (long) s.kvHeads() * headDim});
            matrix.accept(p + "attn_v.weight", new long[]{s.dim(), (long) s.kvHeads() * headDim});
            matrix.accept(p + "attn_output.weight", new long[]{s.dim(), s.dim()});
            norm.accept(p + "ffn_norm.weight");
            matrix.accept(p + "ffn_gate.weight", new long[]{s.dim(), s.ffn()});
            matrix.accept(p + "ffn_up.weight", new long[]{s.dim(), s.ffn()});
            matrix.accept(p + "ffn_down.weight", new long[]{s.ffn(), s.dim()});
        }
        norm.accept("output_norm.weight");
        matrix.accept("output.weight", new long[]{s.dim(), s.vocab()});
        return w;
    }

    /** Rows of N(0, 1/cols), drawn in row order from a stream seeded by (seed, tensor index). */
    private static GgufWriter.RowSource gaussian(long seed, int tensorIndex, long cols) {
        SplittableRandom[] random = new SplittableRandom[1];
        double std = 1.0 / Math.sqrt(cols);
        return (r, dst) -> {
            if (r == 0) {
                random[0] = new SplittableRandom(seed * GOLDEN + tensorIndex); // restart: each write is identical
            }
            for (int i = 0; i < dst.length; i++) {
                dst[i] = (float) (random[0].nextGaussian() * std);
            }
        };
    }

    private static void metadata(GgufWriter w, Shape s) {
        w.putString("general.architecture", "llama");
        w.putString("general.name", "synthetic-" + s.name());
        w.putUint32("llama.context_length", s.contextLength());
        w.putUint32("llama.embedding_length", s.dim());
        w.putUint32("llama.block_count", s.layers());
        w.putUint32("llama.feed_forward_length", s.ffn());
        w.putUint32("llama.rope.dimension_count", s.dim() / s.heads());
        w.putUint32("llama.attention.head_count", s.heads());
        w.putUint32("llama.attention.head_count_kv", s.kvHeads());
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        w.putFloat32("llama.rope.freq_base", s.ropeTheta());
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
