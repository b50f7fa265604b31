package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/**
 * Every op of a transformer layer in one Aparapi kernel, so that all of a block's buffers are fields of one
 * object and stay on the device between launches (explicit buffer management: the host puts the weights once,
 * the embeddings and RoPE angles once per block, and gets only the kept K/V and, when asked, the last hidden
 * state). The host sets {@link #op} and the op's fields, then executes; see {@link ResidentBlocks} for the
 * sequence. Activations live in one scratch arena {@link #act} at offsets (Aparapi has no pointers), the
 * residual stream in {@link #x}.
 *
 * <p>Two concrete kernels: {@link BlockKernelCpu} (register-tiled GEMM over transposed F32 weights, CPU attention: no barriers, no local
 * memory) and {@link BlockKernelGpu} (tiled GEMM and attention in local memory). They are separate classes
 * because PoCL ran the first work-item of some work-groups' barrier-free code twice when the same kernel also
 * held barriers (measured: every epilogue that adds into memory, {@code x += ...}, added twice for the first
 * token pair of each GEMM work-group after the first; the per-call kernels' ops are idempotent and never showed
 * it); GEMM and attention modes are described there. Both paths run these kernels: the device-resident block and the per-call {@link AparapiKernels} (a matmul with one matrix as weights; attention with q, k (or kt) and v in the arena and the outputs in {@link #x}). The GEMM reads the arena (or
 * {@link #x}: the host-array matmul of {@link AparapiKernels} runs these kernels with one matrix as weights, x as
 * input and its output array as the arena) and writes through an epilogue: a plain store, bias add, SwiGLU with the gate already in the arena
 * (the up projection's output becomes {@code silu(gate)·up}), or the residual add into {@link #x} (the O and
 * down projections), so no separate element-wise launch or buffer round trip remains.
 */
abstract class BlockKernel extends Kernel {
    /** GEMM tiles: columns per step, and the largest work-group side the local tiles are sized for (tile = 4·side). */
    static final int TILE_K = 16;
    static final int MAX_SIDE = 16;
    static final int DTYPE_F32 = 0;
    static final int DTYPE_F16 = 1;
    static final int DTYPE_Q8 = 2;
    static final int MODE_TILED = 0;
    static final int MODE_ROW_DOT = 1;
    static final int MODE_COLUMNS = 2;
    /** Column mode (CPU devices): tokens and consecutive output rows of a work-item's register tile. */
    static final int COLUMN_TOKENS = 8;
    static final int COLUMN_ROWS = 16;
    static final int OP_NORM = 0;
    static final int OP_GEMM = 1;
    static final int OP_ROPE = 2;
    static final int OP_TRANSPOSE_KEYS = 3;
    static final int OP_ATTENTION = 4;
    static final int OP_KEEP = 5;
    static final int EPI_STORE = 0;
    static final int EPI_RESIDUAL = 1;
    static final int EPI_SWIGLU = 2;
    static final int EPI_BIAS = 3;
    static final int GEMM_TILE = TILE_K * 4 * MAX_SIDE;
    /** Attention, GPU kernel: keys per K/V tile in local memory, the largest head dim it holds. */
    static final int TILE_KEYS = 16;
    static final int MAX_HEAD_DIM = 128;
    /** Attention, GPU kernel: floats of local memory for a group's running outputs (group · headDim ≤ this). */
    static final int OUT_CAPACITY = 4096;
    /** Attention, CPU kernel: keys per score tile (long contiguous loops pay for LLVM's runtime alias checks). */
    static final int CPU_TILE_KEYS = 128;
    static final int KV_TILE = TILE_KEYS * MAX_HEAD_DIM;
    static final float NEG = -3.0e38f;

    float[] x; // [tokens][dim] residual stream
    float[] act; // scratch arena, regions at the offsets set by ResidentBlocks
    float[] vec; // norm weights and biases of every layer, at offsets
    float[] wf; // F32 weights of every layer, at offsets: [rows][cols] (GPU kernel), [cols][rows] (CPU kernel)
    int[] wh; // F16 weights, two per int
    byte[] wq; // Q8_0 quants
    float[] ws; // Q8_0 scales
    float[] halfScale; // [33]
    float[] trig; // [tokens][pairs] cos, then [tokens][pairs] sin
    float[] kv; // [layers][2][kept][kvDim] kept keys and values
    float[] sc; // CPU attention scratch: per (query, head) row, CPU_TILE_KEYS scores then headDim running outputs
    int op;
    int tokens;
    // OP_NORM: rows of normDim from x (normSrcX = 1) or act[normIn..], into act[normOut..], weight vec[normW..]
    int normSrcX;
    int normIn;
    int normOut;
    int normRows;
    int normDim;
    int normW;
    float eps;
    // OP_GEMM: act[gIn] (x[gIn] when gInX = 1) [tokens][gCols] · W[gRows][gCols] → epilogue at act[gOut] [tokens][gRows]
    int gInX;
    int mode;
    int side;
    int gIn;
    int gOut;
    int gRows;
    int gCols;
    int gW; // weight offset (elements; F16: halves)
    int gStride; // CPU kernel: floats between consecutive columns of the transposed weights (Transpose.stride)
    int gS; // Q8_0 scale offset
    int dtype;
    int epi;
    int epiOff; // EPI_SWIGLU: gate region in act; EPI_BIAS: bias in vec
    // OP_ROPE: act[ropeOff] [tokens][ropeHeads][headDim] in place
    int ropeOff;
    int ropeHeads;
    int headDim;
    int pairs;
    int pairStride;
    int partnerOffset;
    // OP_TRANSPOSE_KEYS, OP_ATTENTION, OP_KEEP: q [tokens][heads][headDim] attends to keys [keys][kvHeads][headDim]
    // (kt: [kvHeads][headDim][keys]) and values; query t sees keys [0, t + causalOffset]; outputs
    // [tokens][heads][headDim] at attOff and LSE [tokens][heads] at lseOff, in x when attX = 1 (the per-call path),
    // else in act
    int keys;
    int causalOffset;
    int attX;
    int heads;
    int kvHeads;
    int qOff;
    int kOff;
    int vOff;
    int ktOff; // [kvHeads][headDim][tokens]
    int attOff;
    int lseOff;
    int group;
    int blocksPerHead;
    float scale;
    int keepFrom;
    int keepN;
    int kvOut; // this layer's keys in kv; values follow keepN rows later

    /** Sets up {@link #OP_NORM}: {@code rows} rows of {@code dim} from x ({@code fromX = 1}) or act[in..] into act[out..]. */
    final void normOp(int fromX, int in, int out, int rows, int dim, int weight, float epsilon) {
        op = OP_NORM;
        normSrcX = fromX;
        normIn = in;
        normOut = out;
        normRows = rows;
        normDim = dim;
        normW = weight;
        eps = epsilon;
    }

    /** Sets up {@link #OP_ROPE} over act[off..] {@code [tokens][heads][headDim]} with {@code r}'s pair layout. */
    final void ropeOp(io.starspark.kernels.Rope r, int off, int heads, int dim) {
        op = OP_ROPE;
        ropeOff = off;
        ropeHeads = heads;
        headDim = dim;
        pairs = r.pairs();
        pairStride = r.style() == io.starspark.kernels.Rope.Style.ADJACENT ? 2 : 1;
        partnerOffset = r.second(0) - r.first(0);
    }

    /**
     * Sets up {@link #OP_ATTENTION}'s shape and where it reads and writes: offsets of q, k, kt (CPU kernel), v in act,
     * of the outputs and LSE in x ({@code outputsInX = 1}) or act; scale 1/√headDim.
     */
    final void attentionOp(io.starspark.kernels.AttentionShape s, int q, int k, int kt, int v, int att, int lse,
                           int outputsInX) {
        op = OP_ATTENTION;
        tokens = s.tokens();
        heads = s.heads();
        kvHeads = s.kvHeads();
        headDim = s.headDim();
        keys = s.keys();
        causalOffset = s.causalOffset();
        scale = (float) (1.0 / Math.sqrt(s.headDim()));
        qOff = q;
        kOff = k;
        ktOff = kt;
        vOff = v;
        attOff = att;
        lseOff = lse;
        attX = outputsInX;
    }

    /** The ops both devices run alike: norm, RoPE, key transpose, keep. */
    final void ops() {
        if (op == OP_NORM) {
            norm();
        } else if (op == OP_ROPE) {
            rope();
        } else if (op == OP_TRANSPOSE_KEYS) {
            transposeKeys();
        } else {
            keep();
        }
    }

    final void norm() {
        int row = getGlobalId();
        if (row >= normRows) {
            return;
        }
        int b = row * normDim;
        float ss = 0f;
        for (int i = 0; i < normDim; i++) {
            float v = normSrcX == 1 ? x[b + i] : act[normIn + b + i];
            ss += v * v;
        }
        float inv = 1f / sqrt(ss / normDim + eps);
        for (int i = 0; i < normDim; i++) {
            float v = normSrcX == 1 ? x[b + i] : act[normIn + b + i];
            act[normOut + b + i] = v * inv * vec[normW + i];
        }
    }

    final void rope() {
        int gid = getGlobalId();
        if (gid >= tokens * ropeHeads * pairs) {
            return;
        }
        int i = gid % pairs;
        int th = gid / pairs;
        int t = th / ropeHeads;
        int base = ropeOff + th * headDim + pairStride * i;
        float c = trig[t * pairs + i];
        float s = trig[tokens * pairs + t * pairs + i];
        float a = act[base];
        float b = act[base + partnerOffset];
        act[base] = a * c - b * s;
        act[base + partnerOffset] = a * s + b * c;
    }

    /**
     * {@code k: [keys][kvHeads][headDim]} into {@code kt: [kvHeads][headDim][keys]} (CPU attention). Work-item i
     * writes kt's element i: consecutive work-items write consecutive floats and read with a stride (numbered by
     * k's element, the scattered writes took a tenth of the attention's time at 2048 tokens).
     */
    final void transposeKeys() {
        int kvDim = kvHeads * headDim;
        int gid = getGlobalId();
        if (gid >= keys * kvDim) {
            return;
        }
        int c = gid / keys;
        int j = gid - c * keys;
        act[ktOff + gid] = act[kOff + j * kvDim + c];
    }

    final void keep() {
        int kvDim = kvHeads * headDim;
        int gid = getGlobalId();
        if (gid >= keepN * kvDim) {
            return;
        }
        int src = keepFrom * kvDim + gid;
        kv[kvOut + gid] = act[kOff + src];
        kv[kvOut + keepN * kvDim + gid] = act[vOff + src];
    }

    /** Element i of the attention's outputs (see {@link #attX}). */
    final void attStore(int i, float v) {
        if (attX == 1) {
            x[i] = v;
        } else {
            act[i] = v;
        }
    }

    /** Output (r, t) of the GEMM with its value v, through the epilogue. */
    final void emit(int r, int t, float v) {
        if (r < gRows && t < tokens) {
            int i = t * gRows + r;
            if (epi == EPI_RESIDUAL) {
                x[i] += v;
            } else if (epi == EPI_SWIGLU) {
                float g = act[epiOff + i];
                act[gOut + i] = g / (1f + exp(-g)) * v;
            } else if (epi == EPI_BIAS) {
                act[gOut + i] = v + vec[epiOff + r];
            } else {
                act[gOut + i] = v;
            }
        }
    }

    /** Weight (r, c) of the GEMM's matrix in its stored type, row-major (the GPU kernel's layout). */
    final float weight(int r, int c) {
        int i = r * gCols + c;
        if (dtype == DTYPE_F32) {
            return wf[gW + i];
        }
        if (dtype == DTYPE_Q8) {
            return wq[gW + i] * ws[gS + r * (gCols / 32) + c / 32];
        }
        return half(gW + i);
    }

    /** F16 element i of {@code wh}, widened. */
    final float half(int i) {
        int bits = (wh[i >> 1] >>> ((i & 1) * 16)) & 0xffff;
        int e = (bits >> 10) & 31;
        int m = bits & 1023;
        float mag = (e == 0 ? m : m + 1024) * halfScale[e];
        float v = e == 31 && m != 0 ? halfScale[32] : mag;
        return (bits & 0x8000) != 0 ? -v : v;
    }

}
