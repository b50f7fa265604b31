package io.starspark.kernels;

import java.util.List;
import java.util.Optional;

/**
 * The numeric kernels every forward pass is built from. All buffers are flat, row-major
 * float arrays; shapes are given next to each parameter. Implementations must not keep
 * references to arguments and must be safe to call from several threads at once
 * (Spark runs several tasks per executor JVM).
 */
public interface Kernels {

    /** Backend name as logged, e.g. "java", "aparapi-opencl", "reference". */
    String name();

    /**
     * {@code out[t][r] = Σ_c x[t][c] · W[r][c]}.
     *
     * @param out [tokens][w.rows]
     * @param x   [tokens][w.cols]
     */
    void matmul(float[] out, float[] x, Matrix w, int tokens);

    /**
     * {@link #matmul} of one input by several matrices with the same columns, {@code outs[i] = x · ws[i]ᵀ}, each
     * with the bits {@code matmul(outs[i], x, ws[i], tokens)} gives. A backend may run them as one parallel loop
     * (at decode: one hand-off to its threads instead of one per matrix, e.g. for q, k, v or gate, up).
     *
     * @param outs [ws.length][tokens][ws[i].rows]
     * @param x    [tokens][cols], cols the same for every matrix
     */
    default void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
        Shapes.matmuls(outs, x, ws, tokens);
        for (int i = 0; i < ws.length; i++) {
            matmul(outs[i], x, ws[i], tokens);
        }
    }

    /**
     * {@code out[t][i] = x[t][i] / sqrt(mean_i(x[t][i]²) + eps) · weight[i]}; out may alias x.
     *
     * @param x, out [tokens][dim]; weight [dim]
     */
    void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps);

    /**
     * In-place rotary embedding of every head: pair i (which dims, per {@link Rope#style()}) rotates by
     * angle {@code positions[t] · rope.frequency(i)}; dims past rotaryDim are untouched. Angles are
     * computed in double so positions up to 2^20 and beyond stay exact.
     *
     * @param x         [tokens][heads][headDim]
     * @param positions [tokens]
     */
    void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope);

    /** {@code out[i] = silu(gate[i]) · up[i]} for i &lt; n, silu(a) = a / (1 + e^-a); out may alias gate. */
    void swiglu(float[] out, float[] gate, float[] up, int n);

    /** Attention with output and log-sum-exp per (token, head); see {@link AttentionShape}. */
    void attention(AttentionShape shape, float[] q, float[] k, float[] v, float[] out, float[] lse);

    /**
     * {@link #attention} over keys and values held as IEEE-754 halves (a {@link KvDtype#F16} cache: half the bytes a
     * decode step streams), with the bits {@link #attention} gives on them converted to float ({@link Half#toFloat}).
     * This default converts the rows the shape reads and calls it; a backend may read the halves in place.
     *
     * @param k, v [keys][kvHeads][headDim] halves
     */
    default void attention(AttentionShape shape, float[] q, short[] k, short[] v, float[] out, float[] lse) {
        shape.check(q, k, v, out, lse);
        int n = shape.keys() * shape.kvHeads() * shape.headDim();
        attention(shape, q, Half.toFloatArray(k, n), Half.toFloatArray(v, n), out, lse);
    }

    /**
     * Quest page scores: upper bound of q·k over a page from its per-channel key min/max.
     * {@code scores[t][p][h] = Σ_c max(q[t][h][c]·min[p][g][c], q[t][h][c]·max[p][g][c])},
     * g = h / (heads / kvHeads).
     *
     * @param q       [tokens][heads][headDim]
     * @param pageMin [pages][kvHeads][headDim]
     * @param pageMax [pages][kvHeads][headDim]
     * @param scores  [tokens][pages][heads]
     */
    void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                    int tokens, int pages, int heads, int kvHeads, int headDim);

    /**
     * About to run a prompt's forward pass and then single-token steps over these weights, with this attention
     * shape and K/V dtype: a backend whose single-token paths are compiled on first use (the java backend's JIT) may
     * prepare them in the background meanwhile. Returns at once; changes no result. Default: nothing.
     *
     * @param weights the model's matrices (the backend picks one of each kind)
     */
    default void prepareDecode(List<Matrix> weights, int heads, int kvHeads, int headDim, KvDtype kv) {
    }

    /**
     * The backend's device-resident forward of whole blocks, when it has one (Aparapi); empty for backends whose
     * memory is the host's, where the calls above already touch no bus.
     */
    default Optional<BlockForward> blockForward() {
        return Optional.empty();
    }
}
