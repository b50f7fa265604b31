package io.starspark.model.synth;

import io.starspark.errors.UserError;
import io.starspark.model.gguf.GgmlType;

import java.util.Locale;

/**
 * The tensor type of each weight matrix for a {@code make-model --dtype}: one type for every matrix
 * ({@code f32 f16 q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k}), or llama.cpp's {@code q4_k_m} mix
 * (llama-quant.cpp, llama_tensor_get_type for LLAMA_FTYPE_MOSTLY_Q4_K_M): Q6_K for {@code output.weight},
 * and for {@code attn_v} / {@code ffn_down} of the layers where use_more_bits holds (the first and last
 * eighth, and every third layer between); Q4_K for the rest, the token embedding included (it only
 * takes the output's type when a model has no output tensor). A row length that is not a multiple of
 * the type's block falls back as llama.cpp does (Q4_K → Q5_0, Q5_K → Q5_1, Q6_K → Q8_0), and to F16 when
 * it is not a multiple of 32 either. Norms are not matrices: always F32.
 */
public record TensorTypes(String dtype, GgmlType base, boolean q4km) {
    public static final String CHOICES = "f32, f16, q8_0, q4_0, q4_1, q5_0, q5_1, q4_k, q5_k, q6_k, q4_k_m";

    /** The scheme for a {@code --dtype} value; unknown names are a user error. */
    public static TensorTypes of(String dtype) {
        String d = dtype.toLowerCase(Locale.ROOT);
        if (d.equals("q4_k_m")) {
            return new TensorTypes(d, GgmlType.Q4_K, true);
        }
        return switch (d) {
            case "f32", "f16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q4_k", "q5_k", "q6_k" ->
                new TensorTypes(d, GgmlType.valueOf(d.toUpperCase(Locale.ROOT)), false);
            default -> throw new UserError("unknown dtype '" + dtype + "' (expected " + CHOICES + ")");
        };
    }

    /** The type of matrix {@code name} (GGUF tensor name) with rows of {@code cols} values, in a model of {@code layers}. */
    public GgmlType typeFor(String name, long cols, int layers) {
        GgmlType t = base;
        if (q4km && (name.equals("output.weight") || (moreBits(layer(name), layers)
                && (name.endsWith(".attn_v.weight") || name.endsWith(".ffn_down.weight"))))) {
            t = GgmlType.Q6_K;
        }
        return fit(t, cols);
    }

    /** llama.cpp's use_more_bits(i_layer, n_layers). */
    static boolean moreBits(int layer, int layers) {
        return layer >= 0 && (layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2);
    }

    private static int layer(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        return Integer.parseInt(name.substring(4, name.indexOf('.', 4)));
    }

    private static GgmlType fit(GgmlType t, long cols) {
        if (cols % t.blockSize() == 0) {
            return t;
        }
        GgmlType fallback = switch (t) {
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> GgmlType.F16;
        };
        return cols % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }
}
