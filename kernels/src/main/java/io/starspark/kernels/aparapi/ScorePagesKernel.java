package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/** One work-item per (token, page, head): Quest upper bound of q·k over the page. */
final class ScorePagesKernel extends Kernel {
    float[] q; // [tokens][heads][headDim]
    float[] pageMin; // [pages][kvHeads][headDim]
    float[] pageMax; // [pages][kvHeads][headDim]
    float[] scores; // [tokens][pages][heads]
    int pages;
    int heads;
    int kvHeads;
    int headDim;
    int n; // tokens · pages · heads

    @Override
    public void run() {
        int gid = getGlobalId();
        if (gid >= n) {
            return;
        }
        int h = gid % heads;
        int tp = gid / heads;
        int p = tp % pages;
        int t = tp / pages;
        int qb = (t * heads + h) * headDim;
        int pb = (p * kvHeads + h / (heads / kvHeads)) * headDim;
        float acc = 0f;
        for (int c = 0; c < headDim; c++) {
            float qc = q[qb + c];
            acc += max(qc * pageMin[pb + c], qc * pageMax[pb + c]);
        }
        scores[gid] = acc;
    }
}
