package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/**
 * {@code out[t][r] = Σ_c x[t][c]·W[r][c]} for one weight matrix, which stays on the device: an instance
 * is made per {@link io.starspark.kernels.Matrix} and its weight arrays are put once (explicit buffer
 * management); each call puts x and gets out. Weights are read in their stored type and dequantized in
 * the kernel: F32 ({@code wf}), F16 (two halves packed per int, {@code wh}), Q8_0 ({@code wq} int8 and
 * {@code ws} per-32 scales).
 *
 * <p>Tiled mode (2D range, work-group {@code side × side}): a group computes a tile of
 * {@code 4·side} rows × {@code 4·side} tokens; each work-item a 4×4 register block (the 16 unrolled
 * accumulators are deliberate: Aparapi has no private arrays that PoCL and GPUs both keep in registers).
 * Per step of {@link #TILE_K} columns the group stages W and x in local memory, transposed
 * ({@code [k][row]}, {@code [k][token]}) so neighbouring work-items read neighbouring floats.
 * Row-dot mode (1D range, one work-item per (token, row)): on GPUs for one or a few tokens, where a 4·side
 * token tile would be mostly padding.
 *
 * <p>Column mode, for CPU devices (PoCL), any token count: weights are stored transposed
 * ({@code [cols][rows]}, chosen at upload); a work-item owns {@link #COLUMN_ROWS} consecutive outputs of
 * {@link #COLUMN_TOKENS} tokens and, column by column, adds {@code x[t][c] · W^T[c][r0..r0+256)} into them.
 * The innermost loop then runs over contiguous floats without a reduction, which LLVM (in PoCL) vectorizes;
 * a work-item's dot product over c, as in the modes above, stays scalar on a CPU (float sums are not
 * reassociated without fast-math) and measured about 1 GFLOP/s. Two tokens, not more: with more output rows
 * LLVM needs more runtime alias checks than it allows and leaves the loop scalar.
 */
final class GemmKernel extends Kernel {
    static final int TILE_K = 16;
    /** Largest work-group side the local tiles are sized for (tile = 4·side). */
    static final int MAX_SIDE = 16;
    static final int DTYPE_F32 = 0;
    static final int DTYPE_F16 = 1;
    static final int DTYPE_Q8 = 2;
    static final int MODE_TILED = 0;
    static final int MODE_ROW_DOT = 1;
    static final int MODE_COLUMNS = 2;
    static final int COLUMN_TOKENS = 2;
    static final int COLUMN_ROWS = 256;

    @Local final float[] wTile = new float[TILE_K * 4 * MAX_SIDE]; // [TILE_K][4·side] weight rows
    @Local final float[] xTile = new float[TILE_K * 4 * MAX_SIDE]; // [TILE_K][4·side] tokens

    float[] out; // [tokens][rows]
    float[] x; // [tokens][cols]
    float[] wf; // F32: [rows][cols]
    int[] wh; // F16: [rows·cols / 2] (element i in the low half of word i/2 when i is even)
    byte[] wq; // Q8_0: [rows][cols]
    float[] ws; // Q8_0: [rows][cols/32]
    float[] halfScale; // [33]: 2^-24, 2^(e-25) for e = 1..30, +inf, NaN
    int dtype;
    int transposed; // 1: weights stored [cols][rows] (column mode), 0: [rows][cols]
    int mode;
    int rows;
    int cols;
    int tokens;
    int side; // work-group side in tiled mode

    @Override
    public void run() {
        if (mode == MODE_ROW_DOT) {
            rowDot();
            return;
        }
        if (mode == MODE_COLUMNS) {
            columns();
            return;
        }
        int lr = getLocalId(0);
        int lt = getLocalId(1);
        int tile = 4 * side;
        int row0 = getGroupId(0) * tile;
        int tok0 = getGroupId(1) * tile;
        int lid = lt * side + lr;
        int threads = side * side;
        int perTile = TILE_K * tile;
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
        for (int k0 = 0; k0 < cols; k0 += TILE_K) {
            for (int e = lid; e < perTile; e += threads) {
                int kk = e % TILE_K;
                int i = e / TILE_K;
                int c = k0 + kk;
                int r = row0 + i;
                int t = tok0 + i;
                wTile[kk * tile + i] = r < rows && c < cols ? weight(r, c) : 0f;
                xTile[kk * tile + i] = t < tokens && c < cols ? x[t * cols + c] : 0f;
            }
            localBarrier();
            for (int kk = 0; kk < TILE_K; kk++) {
                int wb = kk * tile + lr;
                int xb = kk * tile + lt;
                float w0 = wTile[wb];
                float w1 = wTile[wb + side];
                float w2 = wTile[wb + 2 * side];
                float w3 = wTile[wb + 3 * side];
                float x0 = xTile[xb];
                float x1 = xTile[xb + side];
                float x2 = xTile[xb + 2 * side];
                float x3 = xTile[xb + 3 * side];
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
        store(r0, t0, a00);
        store(r0, t0 + side, a01);
        store(r0, t0 + 2 * side, a02);
        store(r0, t0 + 3 * side, a03);
        store(r0 + side, t0, a10);
        store(r0 + side, t0 + side, a11);
        store(r0 + side, t0 + 2 * side, a12);
        store(r0 + side, t0 + 3 * side, a13);
        store(r0 + 2 * side, t0, a20);
        store(r0 + 2 * side, t0 + side, a21);
        store(r0 + 2 * side, t0 + 2 * side, a22);
        store(r0 + 2 * side, t0 + 3 * side, a23);
        store(r0 + 3 * side, t0, a30);
        store(r0 + 3 * side, t0 + side, a31);
        store(r0 + 3 * side, t0 + 2 * side, a32);
        store(r0 + 3 * side, t0 + 3 * side, a33);
    }

    private void store(int r, int t, float v) {
        if (r < rows && t < tokens) {
            out[t * rows + r] = v;
        }
    }

    private void rowDot() {
        int gid = getGlobalId();
        if (gid >= tokens * rows) {
            return;
        }
        int t = gid / rows;
        int r = gid - t * rows;
        int xb = t * cols;
        float acc = 0f;
        for (int c = 0; c < cols; c++) {
            acc += x[xb + c] * weight(r, c);
        }
        out[gid] = acc;
    }

    private void columns() {
        int r0 = getGlobalId(0) * COLUMN_ROWS;
        int t0 = getGlobalId(1) * COLUMN_TOKENS;
        if (r0 >= rows || t0 >= tokens) {
            return;
        }
        int n = min(COLUMN_ROWS, rows - r0);
        // a missing second token (odd count) aliases the first's outputs and adds x = 0 to them
        // (only an infinite weight would notice: inf·0 turns its ±inf output into NaN)
        float has1 = t0 + 1 < tokens ? 1f : 0f;
        int o0 = t0 * rows + r0;
        int o1 = min(t0 + 1, tokens - 1) * rows + r0;
        int x0 = t0 * cols;
        int x1 = min(t0 + 1, tokens - 1) * cols;
        for (int j = 0; j < n; j++) {
            out[o0 + j] = 0f;
            out[o1 + j] = 0f;
        }
        // one inner loop per type, each a plain axpy over contiguous floats: LLVM vectorizes these (a type
        // test inside the loop, or more than two output rows, and it gives up)
        if (dtype == DTYPE_F32) {
            for (int c = 0; c < cols; c++) {
                float v0 = x[x0 + c];
                float v1 = x[x1 + c] * has1;
                int wb = c * rows + r0;
                for (int j = 0; j < n; j++) {
                    float w = wf[wb + j];
                    out[o0 + j] += v0 * w;
                    out[o1 + j] += v1 * w;
                }
            }
        } else {
            // Q8_0 (F16 is widened at upload for CPU devices)
            for (int c = 0; c < cols; c++) {
                float v0 = x[x0 + c];
                float v1 = x[x1 + c] * has1;
                int wb = c * rows + r0;
                int sb = (c / 32) * rows + r0;
                for (int j = 0; j < n; j++) {
                    float w = wq[wb + j] * ws[sb + j];
                    out[o0 + j] += v0 * w;
                    out[o1 + j] += v1 * w;
                }
            }
        }
    }

    private float weight(int r, int c) {
        int i = transposed == 1 ? c * rows + r : r * cols + c;
        if (dtype == DTYPE_F32) {
            return wf[i];
        }
        if (dtype == DTYPE_Q8) {
            return wq[i] * ws[transposed == 1 ? (c / 32) * rows + r : r * (cols / 32) + c / 32];
        }
        return half(i);
    }

    /** F16 element i of {@code wh}, widened. */
    private float half(int i) {
        int bits = (wh[i >> 1] >>> ((i & 1) * 16)) & 0xffff;
        int e = (bits >> 10) & 31;
        int m = bits & 1023;
        float mag = (e == 0 ? m : m + 1024) * halfScale[e];
        float v = e == 31 && m != 0 ? halfScale[32] : mag;
        return (bits & 0x8000) != 0 ? -v : v;
    }
}
