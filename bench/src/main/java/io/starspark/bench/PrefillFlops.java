package io.starspark.bench;

import io.starspark.kernels.Matrix;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaWeights;
import java.util.List;

/**
 * FLOP and byte counts of one forward pass. Matmul FLOPs = 2·rows·cols per token; attention
 * FLOPs = 4·heads·headDim per (query, visible key) per layer (QKᵀ and PV; exp not counted).
 *
 * @param layerParams  weights of all transformer blocks' matrices (q, k, v, o, gate, up, down)
 * @param outputParams the output matrix [vocab][dim]
 * @param weightBytes  bytes of every matrix read by a decode step (blocks + output)
 */
record PrefillFlops(LlamaConfig c, long layerParams, long outputParams, long weightBytes) {

    static PrefillFlops of(LlamaConfig c, LlamaWeights w) {
        long params = 0;
        long bytes = 0;
        for (LlamaWeights.Layer l : w.layers()) {
            for (Matrix m : List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.gate(), l.up(), l.down())) {
                params += (long) m.rows() * m.cols();
                bytes += m.bytes();
            }
        }
        Matrix out = w.output();
        return new PrefillFlops(c, params, (long) out.rows() * out.cols(), bytes + out.bytes());
    }

    /** Attention FLOPs of a causal batch of {@code t} tokens after {@code past} cached rows. */
    double attention(int past, int t) {
        double visible = (double) t * past + (double) t * (t + 1) / 2; // Σ_i (past + i + 1)
        return 4.0 * c.layers() * c.heads() * c.headDim() * visible;
    }

    /** FLOPs executed by a forward of {@code t} tokens with logits of the last token only. */
    double executed(int past, int t) {
        return 2.0 * layerParams * t + 2.0 * outputParams + attention(past, t);
    }

    /** The convention: 2·(non-embedding params incl. output) per token + attention. */
    double conventional(int t) {
        return 2.0 * (layerParams + outputParams) * t + attention(0, t);
    }
}
