package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/**
 * One work-item per (token, head), online softmax in registers; the running output lives in the
 * work-item's own slice of {@code out}. Rows that see no key are fixed up by the host (lse = -inf).
 */
final class AttentionKernel extends Kernel {
    float[] q; // [tokens][heads][headDim]
    float[] k; // [keys][kvHeads][headDim]
    float[] v; // [keys][kvHeads][headDim]
    float[] out; // [tokens][heads][headDim]
    float[] lse; // [tokens][heads]
    int heads;
    int kvHeads;
    int headDim;
    int keys;
    int causalOffset;
    float scale;

    @Override
    public void run() {
        int row = getGlobalId();
        int t = row / heads;
        int h = row - t * heads;
        int g = h / (heads / kvHeads);
        int visible = min(keys, max(0, t + causalOffset + 1));
        int qb = row * headDim;
        for (int d = 0; d < headDim; d++) {
            out[qb + d] = 0f;
        }
        float m = -3.0e38f;
        float l = 0f;
        for (int j = 0; j < visible; j++) {
            int kb = (j * kvHeads + g) * headDim;
            float dot = 0f;
            for (int d = 0; d < headDim; d++) {
                dot += q[qb + d] * k[kb + d];
            }
            float s = dot * scale;
            float mNew = max(m, s);
            float corr = exp(m - mNew);
            float p = exp(s - mNew);
            l = l * corr + p;
            for (int d = 0; d < headDim; d++) {
                out[qb + d] = out[qb + d] * corr + p * v[kb + d];
            }
            m = mNew;
        }
        float inv = visible > 0 ? 1f / l : 0f;
        for (int d = 0; d < headDim; d++) {
            out[qb + d] = out[qb + d] * inv;
        }
        lse[row] = visible > 0 ? m + log(l) : 0f;
    }
}
