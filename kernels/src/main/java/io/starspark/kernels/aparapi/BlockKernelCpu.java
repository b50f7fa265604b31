package io.starspark.kernels.aparapi;

/**
 * {@link BlockKernel} on CPU devices (PoCL): column-mode GEMM over weights stored transposed and the CPU
 * attention; no barriers and no local memory anywhere in the kernel.
 *
 * <p>Column mode, any token count: weights are stored transposed ({@code [cols][rows]}, chosen at upload); a
 * work-item owns {@link #COLUMN_ROWS} consecutive outputs of {@link #COLUMN_TOKENS} tokens and, column by column,
 * adds {@code x[t][c] · W^T[c][r0..r0+256)} into them. The innermost loop then runs over contiguous floats without
 * a reduction, which LLVM (in PoCL) can vectorize; a work-item's dot product over c stays scalar on a CPU (float
 * sums are not reassociated without fast-math) and measured about 1 GFLOP/s. Two tokens, not more: with more
 * output rows LLVM needs more runtime alias checks than it allows and leaves the loop scalar. F16 weights are
 * widened to F32 at upload on CPU devices.
 */
final class BlockKernelCpu extends BlockKernel {
    @Override
    public void run() {
        if (op == OP_GEMM) {
            columns();
            return;
        }
        if (op == OP_ATTENTION) {
            attentionCpu();
            return;
        }
        ops();
    }

    private void columns() {
        int r0 = getGlobalId(0) * BlockKernel.COLUMN_ROWS;
        int t0 = getGlobalId(1) * BlockKernel.COLUMN_TOKENS;
        if (r0 >= gRows || t0 >= tokens) {
            return;
        }
        int n = min(BlockKernel.COLUMN_ROWS, gRows - r0);
        // a missing second token (odd count) aliases the first's outputs and adds x = 0 to them; its epilogue is skipped
        float has1 = t0 + 1 < tokens ? 1f : 0f;
        int t1 = min(t0 + 1, tokens - 1);
        int o0 = gOut + t0 * gRows + r0;
        int o1 = gOut + t1 * gRows + r0;
        int x0 = gIn + t0 * gCols;
        int x1 = gIn + t1 * gCols;
        for (int j = 0; j < n; j++) {
            act[o0 + j] = 0f;
            act[o1 + j] = 0f;
        }
        if (dtype == BlockKernel.DTYPE_F32) {
            for (int c = 0; c < gCols; c++) {
                float v0 = gInX == 1 ? x[x0 + c] : act[x0 + c];
                float v1 = (gInX == 1 ? x[x1 + c] : act[x1 + c]) * has1;
                int wb = gW + c * gRows + r0;
                for (int j = 0; j < n; j++) {
                    float w = wf[wb + j];
                    act[o0 + j] += v0 * w;
                    act[o1 + j] += v1 * w;
                }
            }
        } else {
            for (int c = 0; c < gCols; c++) {
                float v0 = gInX == 1 ? x[x0 + c] : act[x0 + c];
                float v1 = (gInX == 1 ? x[x1 + c] : act[x1 + c]) * has1;
                int wb = gW + c * gRows + r0;
                int sb = gS + (c / 32) * gRows + r0;
                for (int j = 0; j < n; j++) {
                    float w = wq[wb + j] * ws[sb + j];
                    act[o0 + j] += v0 * w;
                    act[o1 + j] += v1 * w;
                }
            }
        }
        // the epilogue over the summed outputs; the second token's only when there is one
        int i0 = t0 * gRows + r0;
        int i1 = t1 * gRows + r0;
        float keep1 = t0 + 1 < tokens ? 1f : 0f;
        if (epi == EPI_RESIDUAL) {
            for (int j = 0; j < n; j++) {
                x[i0 + j] += act[o0 + j];
            }
            for (int j = 0; j < n; j++) {
                x[i1 + j] += act[o1 + j] * keep1;
            }
        } else if (epi == EPI_SWIGLU) {
            for (int j = 0; j < n; j++) {
                float g0 = act[epiOff + i0 + j];
                act[o0 + j] = g0 / (1f + exp(-g0)) * act[o0 + j];
                float g1 = act[epiOff + i1 + j];
                act[o1 + j] = t0 + 1 < tokens ? g1 / (1f + exp(-g1)) * act[o1 + j] : act[o1 + j];
            }
        } else if (epi == EPI_BIAS) {
            for (int j = 0; j < n; j++) {
                act[o0 + j] += vec[epiOff + r0 + j];
                act[o1 + j] += vec[epiOff + r0 + j] * keep1;
            }
        }
    }

    /**
     * CPU attention over the block's own keys, causally (see {@link AttentionKernel}'s CPU mode). Work-items are
     * numbered head-major, so the consecutive work-items a CPU runs in turn are consecutive queries of one head
     * and share its K/V in cache.
     */
    private void attentionCpu() {
        int gid = getGlobalId();
        if (gid >= tokens * heads) {
            return;
        }
        int h = gid / tokens;
        int t = gid - h * tokens;
        int row = t * heads + h;
        int g = h / (heads / kvHeads);
        int visible = t + 1;
        int qb = row * headDim;
        int ob = attOff + qb;
        int sb = scOff + row * AttentionKernel.CPU_TILE_KEYS;
        int kvStride = kvHeads * headDim;
        for (int d = 0; d < headDim; d++) {
            act[ob + d] = 0f;
        }
        float m = NEG;
        float l = 0f;
        for (int j0 = 0; j0 < visible; j0 += AttentionKernel.CPU_TILE_KEYS) {
            int n = min(AttentionKernel.CPU_TILE_KEYS, visible - j0);
            for (int j = 0; j < n; j++) {
                act[sb + j] = 0f;
            }
            for (int d = 0; d < headDim; d++) {
                float qd = act[qOff + qb + d] * scale;
                int kb = ktOff + (g * headDim + d) * tokens + j0;
                for (int j = 0; j < n; j++) {
                    act[sb + j] += qd * act[kb + j];
                }
            }
            float mt = NEG;
            for (int j = 0; j < n; j++) {
                mt = max(mt, act[sb + j]);
            }
            float mNew = max(m, mt);
            float corr = exp(m - mNew);
            l = l * corr;
            for (int d = 0; d < headDim; d++) {
                act[ob + d] = act[ob + d] * corr;
            }
            for (int j = 0; j < n; j++) {
                float p = exp(act[sb + j] - mNew);
                l += p;
                int vb = vOff + (j0 + j) * kvStride + g * headDim;
                for (int d = 0; d < headDim; d++) {
                    act[ob + d] += p * act[vb + d];
                }
            }
            m = mNew;
        }
        float inv = 1f / l;
        for (int d = 0; d < headDim; d++) {
            act[ob + d] = act[ob + d] * inv;
        }
        act[lseOff + row] = m + log(l);
    }
}
