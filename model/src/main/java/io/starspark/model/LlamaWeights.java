package io.starspark.model;

import io.starspark.kernels.Matrix;
import io.starspark.model.gguf.GgufFile;

import java.util.ArrayList;
import java.util.List;

/**
 * Immutable Llama weights. Matrices are {@code W[out][in]}; norms are {@code [dim]}.
 * {@code output} is the token embedding itself when the model ties them.
 *
 * @param tokenEmbedding [vocab][dim]
 * @param outputNorm     [dim]
 * @param output         [vocab][dim]
 */
public record LlamaWeights(Matrix tokenEmbedding, List<Layer> layers, float[] outputNorm, Matrix output) {

    /**
     * One transformer block. Biases ({@code attn_q.bias} etc.) are read when present, else null.
     *
     * @param attnNorm [dim]; wq [heads·headDim][dim]; wk, wv [kvHeads·headDim][dim]; wo [dim][heads·headDim]
     * @param bq [heads·headDim] or null; bk, bv [kvHeads·headDim] or null
     * @param qNorm, kNorm [headDim] per-head RMS norm weights before RoPE (qwen3), or null
     * @param ffnNorm [dim]; gate, up [ffn][dim]; down [dim][ffn]
     */
    public record Layer(float[] attnNorm, Matrix wq, Matrix wk, Matrix wv, Matrix wo,
                        float[] bq, float[] bk, float[] bv, float[] qNorm, float[] kNorm,
                        float[] ffnNorm, Matrix gate, Matrix up, Matrix down) {
    }

    public LlamaWeights {
        layers = List.copyOf(layers);
    }

    /** The matrices a single-token step multiplies by: every layer's seven, then the output. */
    public List<Matrix> stepMatrices() {
        List<Matrix> all = new ArrayList<>(7 * layers.size() + 1);
        for (Layer l : layers) {
            all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down()));
        }
        all.add(output);
        return all;
    }

    /** Loads every tensor named by llama.cpp's convention and checks its shape against {@code c}. */
    static LlamaWeights load(GgufFile f, LlamaConfig c) {
        if (c.layers() > f.tensors().size()) { // each layer has several tensors: refuse before allocating per layer
            throw new ModelFormatException(f.path(), c.arch() + ".block_count " + c.layers() + " exceeds the "
                + f.tensors().size() + " tensors in the file");
        }
        Shapes s = new Shapes(f);
        Matrix embd = s.matrix("token_embd.weight", c.vocabSize(), c.dim());
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < c.layers(); i++) {
            String p = "blk." + i + ".";
            layers[i] = new Layer(s.vector(p + "attn_norm.weight", c.dim()),
                s.matrix(p + "attn_q.weight", c.qDim(), c.dim()),
                s.matrix(p + "attn_k.weight", c.kvDim(), c.dim()),
                s.matrix(p + "attn_v.weight", c.kvDim(), c.dim()),
                s.matrix(p + "attn_output.weight", c.dim(), c.qDim()),
                s.optionalVector(p + "attn_q.bias", c.qDim()),
                s.optionalVector(p + "attn_k.bias", c.kvDim()),
                s.optionalVector(p + "attn_v.bias", c.kvDim()),
                c.qkNorm() ? s.vector(p + "attn_q_norm.weight", c.headDim()) : null,
                c.qkNorm() ? s.vector(p + "attn_k_norm.weight", c.headDim()) : null,
                s.vector(p + "ffn_norm.weight", c.dim()),
                s.matrix(p + "ffn_gate.weight", c.ffnDim(), c.dim()),
                s.matrix(p + "ffn_up.weight", c.ffnDim(), c.dim()),
                s.matrix(p + "ffn_down.weight", c.dim(), c.ffnDim()));
        }
        Matrix out = c.tiedOutput() ? embd : s.matrix("output.weight", c.vocabSize(), c.dim());
        return new LlamaWeights(embd, List.of(layers), s.vector("output_norm.weight", c.dim()), out);
    }

    /** Shape-checked tensor access. */
    private record Shapes(GgufFile f) {
        Matrix matrix(String name, int rows, int cols) {
            long[] d = f.tensor(name).dims();
            if (d.length != 2 || d[0] != cols || d[1] != rows) {
                throw mismatch(name, d, "[" + cols + ", " + rows + "]");
            }
            return f.matrix(name);
        }

        /** A norm or bias vector; small, so every value is checked to be finite. */
        float[] vector(String name, int n) {
            long[] d = f.tensor(name).dims();
            if (d.length != 1 || d[0] != n) {
                throw mismatch(name, d, "[" + n + "]");
            }
            float[] values = f.floats(name);
            for (int i = 0; i < values.length; i++) {
                if (!Float.isFinite(values[i])) {
                    throw new ModelFormatException(f.path(), "tensor '" + name + "' holds " + values[i] + " at index "
                        + i + "; weights must be finite");
                }
            }
            return values;
        }

        float[] optionalVector(String name, int n) {
            return f.hasTensor(name) ? vector(name, n) : null;
        }

        private ModelFormatException mismatch(String name, long[] d, String expected) {
            return new ModelFormatException(f.path(), "tensor '" + name + "' has shape " + java.util.Arrays.toString(d)
                + ", expected " + expected);
        }
    }
}
