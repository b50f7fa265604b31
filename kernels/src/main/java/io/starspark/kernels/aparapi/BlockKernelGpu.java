package io.starspark.kernels.aparapi;

import com.aparapi.Kernel.Local;

/**
 * {@link BlockKernel} on GPUs: tiled GEMM (row-dot for a few tokens) and flash attention in local memory.
 *
 * <p>Tiled GEMM (2D range, work-group {@code side × side}): a group computes a tile of {@code 4·side} rows ×
 * {@code 4·side} tokens; each work-item a 4×4 register block (the 16 unrolled accumulators are deliberate: Aparapi
 * has no private arrays that GPUs keep in registers). Per step of {@link #TILE_K} columns the group stages W and x
 * in local memory, transposed ({@code [k][row]}, {@code [k][token]}) so neighbouring work-items read neighbouring
 * floats. Weights are read in their stored type and dequantized in the kernel (F32, F16 pairs, Q8_0). Row-dot mode
 * (1D range, one work-item per (token, row)): for one or a few tokens, where a token tile would be mostly padding.
 */
final class BlockKernelGpu extends BlockKernel {
    /** GEMM: W tile then x tile ({@code [TILE_K][4·side]} each); attention: K tile, V tile, running outputs. */
    @Local final float[] lds = new float[2 * KV_TILE + OUT_CAPACITY];

    @Override
    public void run() {
        if (op == OP_GEMM) {
            if (mode == BlockKernel.MODE_ROW_DOT) {
                rowDot();
            } else {
                tiled();
            }
            return;
        }
        if (op == OP_ATTENTION) {
            attentionTiled();
            return;
        }
        ops();
    }

    private void tiled() {
        int lr = getLocalId(0);
        int lt = getLocalId(1);
        int tile = 4 * side;
        int row0 = getGroupId(0) * tile;
        int tok0 = getGroupId(1) * tile;
        int lid = lt * side + lr;
        int threads = side * side;
        int perTile = BlockKernel.TILE_K * tile;
        float a00 = 0f;
        float a01 = 0f;
        float a02 = 0f;
        float a03 = 0f;
        float a10 = 0f;
        float a11 = 0f;
        float a12 = 0f;
        float a13 = 0f;
        float a20 = 0f;
        float a21 = 0f;
        float a22 = 0f;
        float a23 = 0f;
        float a30 = 0f;
        float a31 = 0f;
        float a32 = 0f;
        float a33 = 0f;
        for (int k0 = 0; k0 < gCols; k0 += BlockKernel.TILE_K) {
            for (int e = lid; e < perTile; e += threads) {
                int kk = e % BlockKernel.TILE_K;
                int i = e / BlockKernel.TILE_K;
                int c = k0 + kk;
                int r = row0 + i;
                int t = tok0 + i;
                lds[kk * tile + i] = r < gRows && c < gCols ? weight(r, c) : 0f;
                lds[GEMM_TILE + kk * tile + i] = t < tokens && c < gCols
                        ? (gInX == 1 ? x[gIn + t * gCols + c] : act[gIn + t * gCols + c]) : 0f;
            }
            localBarrier();
            for (int kk = 0; kk < BlockKernel.TILE_K; kk++) {
                int wb = kk * tile + lr;
                int xb = GEMM_TILE + kk * tile + lt;
                float w0 = lds[wb];
                float w1 = lds[wb + side];
                float w2 = lds[wb + 2 * side];
                float w3 = lds[wb + 3 * side];
                float x0 = lds[xb];
                float x1 = lds[xb + side];
                float x2 = lds[xb + 2 * side];
                float x3 = lds[xb + 3 * side];
                a00 += w0 * x0;
                a01 += w0 * x1;
                a02 += w0 * x2;
                a03 += w0 * x3;
                a10 += w1 * x0;
                a11 += w1 * x1;
                a12 += w1 * x2;
                a13 += w1 * x3;
                a20 += w2 * x0;
                a21 += w2 * x1;
                a22 += w2 * x2;
                a23 += w2 * x3;
                a30 += w3 * x0;
                a31 += w3 * x1;
                a32 += w3 * x2;
                a33 += w3 * x3;
            }
            localBarrier();
        }
        int r0 = row0 + lr;
        int t0 = tok0 + lt;
        emit(r0, t0, a00);
        emit(r0, t0 + side, a01);
        emit(r0, t0 + 2 * side, a02);
        emit(r0, t0 + 3 * side, a03);
        emit(r0 + side, t0, a10);
        emit(r0 + side, t0 + side, a11);
        emit(r0 + side, t0 + 2 * side, a12);
        emit(r0 + side, t0 + 3 * side, a13);
        emit(r0 + 2 * side, t0, a20);
        emit(r0 + 2 * side, t0 + side, a21);
        emit(r0 + 2 * side, t0 + 2 * side, a22);
        emit(r0 + 2 * side, t0 + 3 * side, a23);
        emit(r0 + 3 * side, t0, a30);
        emit(r0 + 3 * side, t0 + side, a31);
        emit(r0 + 3 * side, t0 + 2 * side, a32);
        emit(r0 + 3 * side, t0 + 3 * side, a33);
    }

    private void rowDot() {
        int gid = getGlobalId();
        if (gid >= tokens * gRows) {
            return;
        }
        int t = gid / gRows;
        int r = gid - t * gRows;
        int xb = gIn + t * gCols;
        float acc = 0f;
        for (int c = 0; c < gCols; c++) {
            acc += (gInX == 1 ? x[xb + c] : act[xb + c]) * weight(r, c);
        }
        emit(r, t, acc);
    }

    /**
     * Flash attention returning output and LSE. A work-group holds {@code group} consecutive queries of one head (one
     * work-item each); it walks the keys in tiles of {@link #TILE_KEYS}, staging each tile's K and V rows in local
     * memory once for the whole group. A work-item keeps its running max, sum and 16 scores in registers (16
     * unrolled scores: deliberate, Aparapi has no register arrays) and its running output in local memory, laid out
     * {@code [headDim][group]} so neighbouring work-items touch neighbouring floats. A row that sees no key gets
     * output 0 and LSE 0 (the per-call path sets its LSE to -inf).
     */
    private void attentionTiled() {
        int li = getLocalId();
        int gid = getGroupId();
        int h = gid / blocksPerHead;
        int t0 = (gid - h * blocksPerHead) * group;
        int t = t0 + li;
        int g = h / (heads / kvHeads);
        int visible = t < tokens ? min(keys, max(0, t + causalOffset + 1)) : 0;
        int lastT = min(tokens - 1, t0 + group - 1);
        int groupVisible = min(keys, max(0, lastT + causalOffset + 1));
        int qb = qOff + (t * heads + h) * headDim;
        int tileFloats = TILE_KEYS * headDim;
        int accBase = 2 * KV_TILE;
        for (int d = 0; d < headDim; d++) {
            lds[accBase + d * group + li] = 0f;
        }
        float m = NEG;
        float l = 0f;
        for (int j0 = 0; j0 < groupVisible; j0 += TILE_KEYS) {
            for (int e = li; e < tileFloats; e += group) {
                int j = e / headDim;
                int d = e - j * headDim;
                int src = ((j0 + j) * kvHeads + g) * headDim + d;
                lds[e] = j0 + j < keys ? act[kOff + src] : 0f;
                lds[KV_TILE + e] = j0 + j < keys ? act[vOff + src] : 0f;
            }
            localBarrier();
            if (j0 < visible) {
                float s0 = 0f;
                float s1 = 0f;
                float s2 = 0f;
                float s3 = 0f;
                float s4 = 0f;
                float s5 = 0f;
                float s6 = 0f;
                float s7 = 0f;
                float s8 = 0f;
                float s9 = 0f;
                float s10 = 0f;
                float s11 = 0f;
                float s12 = 0f;
                float s13 = 0f;
                float s14 = 0f;
                float s15 = 0f;
                for (int d = 0; d < headDim; d++) {
                    float qd = act[qb + d];
                    s0 += qd * lds[d];
                    s1 += qd * lds[headDim + d];
                    s2 += qd * lds[2 * headDim + d];
                    s3 += qd * lds[3 * headDim + d];
                    s4 += qd * lds[4 * headDim + d];
                    s5 += qd * lds[5 * headDim + d];
                    s6 += qd * lds[6 * headDim + d];
                    s7 += qd * lds[7 * headDim + d];
                    s8 += qd * lds[8 * headDim + d];
                    s9 += qd * lds[9 * headDim + d];
                    s10 += qd * lds[10 * headDim + d];
                    s11 += qd * lds[11 * headDim + d];
                    s12 += qd * lds[12 * headDim + d];
                    s13 += qd * lds[13 * headDim + d];
                    s14 += qd * lds[14 * headDim + d];
                    s15 += qd * lds[15 * headDim + d];
                }
                int n = visible - j0; // keys of this tile the query sees (>= 1)
                s0 = s0 * scale;
                s1 = n > 1 ? s1 * scale : NEG;
                s2 = n > 2 ? s2 * scale : NEG;
                s3 = n > 3 ? s3 * scale : NEG;
                s4 = n > 4 ? s4 * scale : NEG;
                s5 = n > 5 ? s5 * scale : NEG;
                s6 = n > 6 ? s6 * scale : NEG;
                s7 = n > 7 ? s7 * scale : NEG;
                s8 = n > 8 ? s8 * scale : NEG;
                s9 = n > 9 ? s9 * scale : NEG;
                s10 = n > 10 ? s10 * scale : NEG;
                s11 = n > 11 ? s11 * scale : NEG;
                s12 = n > 12 ? s12 * scale : NEG;
                s13 = n > 13 ? s13 * scale : NEG;
                s14 = n > 14 ? s14 * scale : NEG;
                s15 = n > 15 ? s15 * scale : NEG;
                float mt = max(max(max(max(s0, s1), max(s2, s3)), max(max(s4, s5), max(s6, s7))),
                        max(max(max(s8, s9), max(s10, s11)), max(max(s12, s13), max(s14, s15))));
                float mNew = max(m, mt);
                float corr = exp(m - mNew);
                // masked scores are NEG: exp(NEG - mNew) is 0 since mNew is a real score here
                float p0 = exp(s0 - mNew);
                float p1 = exp(s1 - mNew);
                float p2 = exp(s2 - mNew);
                float p3 = exp(s3 - mNew);
                float p4 = exp(s4 - mNew);
                float p5 = exp(s5 - mNew);
                float p6 = exp(s6 - mNew);
                float p7 = exp(s7 - mNew);
                float p8 = exp(s8 - mNew);
                float p9 = exp(s9 - mNew);
                float p10 = exp(s10 - mNew);
                float p11 = exp(s11 - mNew);
                float p12 = exp(s12 - mNew);
                float p13 = exp(s13 - mNew);
                float p14 = exp(s14 - mNew);
                float p15 = exp(s15 - mNew);
                l = l * corr + (((p0 + p1) + (p2 + p3)) + ((p4 + p5) + (p6 + p7)))
                        + (((p8 + p9) + (p10 + p11)) + ((p12 + p13) + (p14 + p15)));
                for (int d = 0; d < headDim; d++) {
                    int vb = KV_TILE + d;
                    float o = lds[accBase + d * group + li] * corr;
                    o += p0 * lds[vb] + p1 * lds[vb + headDim] + p2 * lds[vb + 2 * headDim]
                            + p3 * lds[vb + 3 * headDim];
                    o += p4 * lds[vb + 4 * headDim] + p5 * lds[vb + 5 * headDim] + p6 * lds[vb + 6 * headDim]
                            + p7 * lds[vb + 7 * headDim];
                    o += p8 * lds[vb + 8 * headDim] + p9 * lds[vb + 9 * headDim] + p10 * lds[vb + 10 * headDim]
                            + p11 * lds[vb + 11 * headDim];
                    o += p12 * lds[vb + 12 * headDim] + p13 * lds[vb + 13 * headDim]
                            + p14 * lds[vb + 14 * headDim] + p15 * lds[vb + 15 * headDim];
                    lds[accBase + d * group + li] = o;
                }
                m = mNew;
            }
            localBarrier();
        }
        if (t < tokens) {
            float inv = visible > 0 ? 1f / l : 0f;
            int ob = attOff + (t * heads + h) * headDim;
            for (int d = 0; d < headDim; d++) {
                attStore(ob + d, lds[accBase + d * group + li] * inv);
            }
            attStore(lseOff + t * heads + h, visible > 0 ? m + log(l) : 0f);
        }
    }
}
