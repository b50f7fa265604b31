package io.starspark.kernels.aparapi;

/**
 * {@link BlockKernel} on CPU devices (PoCL): register-tiled GEMM over F32 weights stored transposed, and the CPU
 * attention; no barriers and no local memory anywhere in the kernel.
 *
 * <p>GEMM, any token count: weights are stored transposed ({@code [cols][rows]}, chosen at upload; F16 and Q8_0
 * widened to F32 there, since PoCL leaves in-kernel conversions scalar) and a work-item owns a tile of
 * {@link #COLUMN_ROWS} consecutive rows × {@link #COLUMN_TOKENS} tokens. Per column c it loads the 16 contiguous
 * weights once and adds {@code x[t][c] · W^T[c][r0..r0+16)} into 128 accumulators held in registers (written out
 * one by one: deliberate, Aparapi has no private arrays that stay in registers; a {@code @PrivateMemorySpace} array
 * measured as slow as memory accumulators). LLVM's SLP vectorizer packs each row of 16 into vector FMAs. Measured
 * on PoCL in a GEMM micro-benchmark (512 tokens, 768 and 2048 rows × 768 columns, same JVM): 2.5–3× the former
 * column mode, which kept 256 rows × 2 tokens of accumulators in global memory and paid a load and a store per
 * FMA; inside a 2048-token 110m prefill, with the padded stride, 1.3–1.5× less CPU time for the FFN matrices
 * (bench/README.md). A tile that runs past the last row reads the
 * column's padding ({@link Transpose#stride}) and drops those outputs.
 */
final class BlockKernelCpu extends BlockKernel {
    @Override
    public void run() {
        if (op == OP_GEMM) {
            tile();
            return;
        }
        if (op == OP_ATTENTION) {
            attentionCpu();
            return;
        }
        ops();
    }

    private void tile() {
        int r0 = getGlobalId(0) * BlockKernel.COLUMN_ROWS;
        int t0 = getGlobalId(1) * BlockKernel.COLUMN_TOKENS;
        if (r0 >= gRows || t0 >= tokens) {
            return;
        }
        // tokens past the last one read the last one's row again; their outputs are dropped by emit
        int x0 = gIn + min(t0 + 0, tokens - 1) * gCols;
        int x1 = gIn + min(t0 + 1, tokens - 1) * gCols;
        int x2 = gIn + min(t0 + 2, tokens - 1) * gCols;
        int x3 = gIn + min(t0 + 3, tokens - 1) * gCols;
        int x4 = gIn + min(t0 + 4, tokens - 1) * gCols;
        int x5 = gIn + min(t0 + 5, tokens - 1) * gCols;
        int x6 = gIn + min(t0 + 6, tokens - 1) * gCols;
        int x7 = gIn + min(t0 + 7, tokens - 1) * gCols;
        float a00 = 0f; float a01 = 0f; float a02 = 0f; float a03 = 0f;
        float a04 = 0f; float a05 = 0f; float a06 = 0f; float a07 = 0f;
        float a08 = 0f; float a09 = 0f; float a0a = 0f; float a0b = 0f;
        float a0c = 0f; float a0d = 0f; float a0e = 0f; float a0f = 0f;
        float a10 = 0f; float a11 = 0f; float a12 = 0f; float a13 = 0f;
        float a14 = 0f; float a15 = 0f; float a16 = 0f; float a17 = 0f;
        float a18 = 0f; float a19 = 0f; float a1a = 0f; float a1b = 0f;
        float a1c = 0f; float a1d = 0f; float a1e = 0f; float a1f = 0f;
        float a20 = 0f; float a21 = 0f; float a22 = 0f; float a23 = 0f;
        float a24 = 0f; float a25 = 0f; float a26 = 0f; float a27 = 0f;
        float a28 = 0f; float a29 = 0f; float a2a = 0f; float a2b = 0f;
        float a2c = 0f; float a2d = 0f; float a2e = 0f; float a2f = 0f;
        float a30 = 0f; float a31 = 0f; float a32 = 0f; float a33 = 0f;
        float a34 = 0f; float a35 = 0f; float a36 = 0f; float a37 = 0f;
        float a38 = 0f; float a39 = 0f; float a3a = 0f; float a3b = 0f;
        float a3c = 0f; float a3d = 0f; float a3e = 0f; float a3f = 0f;
        float a40 = 0f; float a41 = 0f; float a42 = 0f; float a43 = 0f;
        float a44 = 0f; float a45 = 0f; float a46 = 0f; float a47 = 0f;
        float a48 = 0f; float a49 = 0f; float a4a = 0f; float a4b = 0f;
        float a4c = 0f; float a4d = 0f; float a4e = 0f; float a4f = 0f;
        float a50 = 0f; float a51 = 0f; float a52 = 0f; float a53 = 0f;
        float a54 = 0f; float a55 = 0f; float a56 = 0f; float a57 = 0f;
        float a58 = 0f; float a59 = 0f; float a5a = 0f; float a5b = 0f;
        float a5c = 0f; float a5d = 0f; float a5e = 0f; float a5f = 0f;
        float a60 = 0f; float a61 = 0f; float a62 = 0f; float a63 = 0f;
        float a64 = 0f; float a65 = 0f; float a66 = 0f; float a67 = 0f;
        float a68 = 0f; float a69 = 0f; float a6a = 0f; float a6b = 0f;
        float a6c = 0f; float a6d = 0f; float a6e = 0f; float a6f = 0f;
        float a70 = 0f; float a71 = 0f; float a72 = 0f; float a73 = 0f;
        float a74 = 0f; float a75 = 0f; float a76 = 0f; float a77 = 0f;
        float a78 = 0f; float a79 = 0f; float a7a = 0f; float a7b = 0f;
        float a7c = 0f; float a7d = 0f; float a7e = 0f; float a7f = 0f;
        // the same expression shape as x's: with gW added inside the loop, LLVM could not tell that the 16 weights
        // are consecutive and gathered them (vgatherdps), at about half the speed
        int w0 = gW + r0;
        for (int c = 0; c < gCols; c++) {
            int wb = c * gStride + w0;
            float u0 = wf[wb + 0];
            float u1 = wf[wb + 1];
            float u2 = wf[wb + 2];
            float u3 = wf[wb + 3];
            float u4 = wf[wb + 4];
            float u5 = wf[wb + 5];
            float u6 = wf[wb + 6];
            float u7 = wf[wb + 7];
            float u8 = wf[wb + 8];
            float u9 = wf[wb + 9];
            float ua = wf[wb + 10];
            float ub = wf[wb + 11];
            float uc = wf[wb + 12];
            float ud = wf[wb + 13];
            float ue = wf[wb + 14];
            float uf = wf[wb + 15];
            float v0 = gInX == 1 ? x[x0 + c] : act[x0 + c];
            a00 += v0 * u0;
            a01 += v0 * u1;
            a02 += v0 * u2;
            a03 += v0 * u3;
            a04 += v0 * u4;
            a05 += v0 * u5;
            a06 += v0 * u6;
            a07 += v0 * u7;
            a08 += v0 * u8;
            a09 += v0 * u9;
            a0a += v0 * ua;
            a0b += v0 * ub;
            a0c += v0 * uc;
            a0d += v0 * ud;
            a0e += v0 * ue;
            a0f += v0 * uf;
            float v1 = gInX == 1 ? x[x1 + c] : act[x1 + c];
            a10 += v1 * u0;
            a11 += v1 * u1;
            a12 += v1 * u2;
            a13 += v1 * u3;
            a14 += v1 * u4;
            a15 += v1 * u5;
            a16 += v1 * u6;
            a17 += v1 * u7;
            a18 += v1 * u8;
            a19 += v1 * u9;
            a1a += v1 * ua;
            a1b += v1 * ub;
            a1c += v1 * uc;
            a1d += v1 * ud;
            a1e += v1 * ue;
            a1f += v1 * uf;
            float v2 = gInX == 1 ? x[x2 + c] : act[x2 + c];
            a20 += v2 * u0;
            a21 += v2 * u1;
            a22 += v2 * u2;
            a23 += v2 * u3;
            a24 += v2 * u4;
            a25 += v2 * u5;
            a26 += v2 * u6;
            a27 += v2 * u7;
            a28 += v2 * u8;
            a29 += v2 * u9;
            a2a += v2 * ua;
            a2b += v2 * ub;
            a2c += v2 * uc;
            a2d += v2 * ud;
            a2e += v2 * ue;
            a2f += v2 * uf;
            float v3 = gInX == 1 ? x[x3 + c] : act[x3 + c];
            a30 += v3 * u0;
            a31 += v3 * u1;
            a32 += v3 * u2;
            a33 += v3 * u3;
            a34 += v3 * u4;
            a35 += v3 * u5;
            a36 += v3 * u6;
            a37 += v3 * u7;
            a38 += v3 * u8;
            a39 += v3 * u9;
            a3a += v3 * ua;
            a3b += v3 * ub;
            a3c += v3 * uc;
            a3d += v3 * ud;
            a3e += v3 * ue;
            a3f += v3 * uf;
            float v4 = gInX == 1 ? x[x4 + c] : act[x4 + c];
            a40 += v4 * u0;
            a41 += v4 * u1;
            a42 += v4 * u2;
            a43 += v4 * u3;
            a44 += v4 * u4;
            a45 += v4 * u5;
            a46 += v4 * u6;
            a47 += v4 * u7;
            a48 += v4 * u8;
            a49 += v4 * u9;
            a4a += v4 * ua;
            a4b += v4 * ub;
            a4c += v4 * uc;
            a4d += v4 * ud;
            a4e += v4 * ue;
            a4f += v4 * uf;
            float v5 = gInX == 1 ? x[x5 + c] : act[x5 + c];
            a50 += v5 * u0;
            a51 += v5 * u1;
            a52 += v5 * u2;
            a53 += v5 * u3;
            a54 += v5 * u4;
            a55 += v5 * u5;
            a56 += v5 * u6;
            a57 += v5 * u7;
            a58 += v5 * u8;
            a59 += v5 * u9;
            a5a += v5 * ua;
            a5b += v5 * ub;
            a5c += v5 * uc;
            a5d += v5 * ud;
            a5e += v5 * ue;
            a5f += v5 * uf;
            float v6 = gInX == 1 ? x[x6 + c] : act[x6 + c];
            a60 += v6 * u0;
            a61 += v6 * u1;
            a62 += v6 * u2;
            a63 += v6 * u3;
            a64 += v6 * u4;
            a65 += v6 * u5;
            a66 += v6 * u6;
            a67 += v6 * u7;
            a68 += v6 * u8;
            a69 += v6 * u9;
            a6a += v6 * ua;
            a6b += v6 * ub;
            a6c += v6 * uc;
            a6d += v6 * ud;
            a6e += v6 * ue;
            a6f += v6 * uf;
            float v7 = gInX == 1 ? x[x7 + c] : act[x7 + c];
            a70 += v7 * u0;
            a71 += v7 * u1;
            a72 += v7 * u2;
            a73 += v7 * u3;
            a74 += v7 * u4;
            a75 += v7 * u5;
            a76 += v7 * u6;
            a77 += v7 * u7;
            a78 += v7 * u8;
            a79 += v7 * u9;
            a7a += v7 * ua;
            a7b += v7 * ub;
            a7c += v7 * uc;
            a7d += v7 * ud;
            a7e += v7 * ue;
            a7f += v7 * uf;
        }
        emit(r0 + 0, t0 + 0, a00);
        emit(r0 + 1, t0 + 0, a01);
        emit(r0 + 2, t0 + 0, a02);
        emit(r0 + 3, t0 + 0, a03);
        emit(r0 + 4, t0 + 0, a04);
        emit(r0 + 5, t0 + 0, a05);
        emit(r0 + 6, t0 + 0, a06);
        emit(r0 + 7, t0 + 0, a07);
        emit(r0 + 8, t0 + 0, a08);
        emit(r0 + 9, t0 + 0, a09);
        emit(r0 + 10, t0 + 0, a0a);
        emit(r0 + 11, t0 + 0, a0b);
        emit(r0 + 12, t0 + 0, a0c);
        emit(r0 + 13, t0 + 0, a0d);
        emit(r0 + 14, t0 + 0, a0e);
        emit(r0 + 15, t0 + 0, a0f);
        emit(r0 + 0, t0 + 1, a10);
        emit(r0 + 1, t0 + 1, a11);
        emit(r0 + 2, t0 + 1, a12);
        emit(r0 + 3, t0 + 1, a13);
        emit(r0 + 4, t0 + 1, a14);
        emit(r0 + 5, t0 + 1, a15);
        emit(r0 + 6, t0 + 1, a16);
        emit(r0 + 7, t0 + 1, a17);
        emit(r0 + 8, t0 + 1, a18);
        emit(r0 + 9, t0 + 1, a19);
        emit(r0 + 10, t0 + 1, a1a);
        emit(r0 + 11, t0 + 1, a1b);
        emit(r0 + 12, t0 + 1, a1c);
        emit(r0 + 13, t0 + 1, a1d);
        emit(r0 + 14, t0 + 1, a1e);
        emit(r0 + 15, t0 + 1, a1f);
        emit(r0 + 0, t0 + 2, a20);
        emit(r0 + 1, t0 + 2, a21);
        emit(r0 + 2, t0 + 2, a22);
        emit(r0 + 3, t0 + 2, a23);
        emit(r0 + 4, t0 + 2, a24);
        emit(r0 + 5, t0 + 2, a25);
        emit(r0 + 6, t0 + 2, a26);
        emit(r0 + 7, t0 + 2, a27);
        emit(r0 + 8, t0 + 2, a28);
        emit(r0 + 9, t0 + 2, a29);
        emit(r0 + 10, t0 + 2, a2a);
        emit(r0 + 11, t0 + 2, a2b);
        emit(r0 + 12, t0 + 2, a2c);
        emit(r0 + 13, t0 + 2, a2d);
        emit(r0 + 14, t0 + 2, a2e);
        emit(r0 + 15, t0 + 2, a2f);
        emit(r0 + 0, t0 + 3, a30);
        emit(r0 + 1, t0 + 3, a31);
        emit(r0 + 2, t0 + 3, a32);
        emit(r0 + 3, t0 + 3, a33);
        emit(r0 + 4, t0 + 3, a34);
        emit(r0 + 5, t0 + 3, a35);
        emit(r0 + 6, t0 + 3, a36);
        emit(r0 + 7, t0 + 3, a37);
        emit(r0 + 8, t0 + 3, a38);
        emit(r0 + 9, t0 + 3, a39);
        emit(r0 + 10, t0 + 3, a3a);
        emit(r0 + 11, t0 + 3, a3b);
        emit(r0 + 12, t0 + 3, a3c);
        emit(r0 + 13, t0 + 3, a3d);
        emit(r0 + 14, t0 + 3, a3e);
        emit(r0 + 15, t0 + 3, a3f);
        emit(r0 + 0, t0 + 4, a40);
        emit(r0 + 1, t0 + 4, a41);
        emit(r0 + 2, t0 + 4, a42);
        emit(r0 + 3, t0 + 4, a43);
        emit(r0 + 4, t0 + 4, a44);
        emit(r0 + 5, t0 + 4, a45);
        emit(r0 + 6, t0 + 4, a46);
        emit(r0 + 7, t0 + 4, a47);
        emit(r0 + 8, t0 + 4, a48);
        emit(r0 + 9, t0 + 4, a49);
        emit(r0 + 10, t0 + 4, a4a);
        emit(r0 + 11, t0 + 4, a4b);
        emit(r0 + 12, t0 + 4, a4c);
        emit(r0 + 13, t0 + 4, a4d);
        emit(r0 + 14, t0 + 4, a4e);
        emit(r0 + 15, t0 + 4, a4f);
        emit(r0 + 0, t0 + 5, a50);
        emit(r0 + 1, t0 + 5, a51);
        emit(r0 + 2, t0 + 5, a52);
        emit(r0 + 3, t0 + 5, a53);
        emit(r0 + 4, t0 + 5, a54);
        emit(r0 + 5, t0 + 5, a55);
        emit(r0 + 6, t0 + 5, a56);
        emit(r0 + 7, t0 + 5, a57);
        emit(r0 + 8, t0 + 5, a58);
        emit(r0 + 9, t0 + 5, a59);
        emit(r0 + 10, t0 + 5, a5a);
        emit(r0 + 11, t0 + 5, a5b);
        emit(r0 + 12, t0 + 5, a5c);
        emit(r0 + 13, t0 + 5, a5d);
        emit(r0 + 14, t0 + 5, a5e);
        emit(r0 + 15, t0 + 5, a5f);
        emit(r0 + 0, t0 + 6, a60);
        emit(r0 + 1, t0 + 6, a61);
        emit(r0 + 2, t0 + 6, a62);
        emit(r0 + 3, t0 + 6, a63);
        emit(r0 + 4, t0 + 6, a64);
        emit(r0 + 5, t0 + 6, a65);
        emit(r0 + 6, t0 + 6, a66);
        emit(r0 + 7, t0 + 6, a67);
        emit(r0 + 8, t0 + 6, a68);
        emit(r0 + 9, t0 + 6, a69);
        emit(r0 + 10, t0 + 6, a6a);
        emit(r0 + 11, t0 + 6, a6b);
        emit(r0 + 12, t0 + 6, a6c);
        emit(r0 + 13, t0 + 6, a6d);
        emit(r0 + 14, t0 + 6, a6e);
        emit(r0 + 15, t0 + 6, a6f);
        emit(r0 + 0, t0 + 7, a70);
        emit(r0 + 1, t0 + 7, a71);
        emit(r0 + 2, t0 + 7, a72);
        emit(r0 + 3, t0 + 7, a73);
        emit(r0 + 4, t0 + 7, a74);
        emit(r0 + 5, t0 + 7, a75);
        emit(r0 + 6, t0 + 7, a76);
        emit(r0 + 7, t0 + 7, a77);
        emit(r0 + 8, t0 + 7, a78);
        emit(r0 + 9, t0 + 7, a79);
        emit(r0 + 10, t0 + 7, a7a);
        emit(r0 + 11, t0 + 7, a7b);
        emit(r0 + 12, t0 + 7, a7c);
        emit(r0 + 13, t0 + 7, a7d);
        emit(r0 + 14, t0 + 7, a7e);
        emit(r0 + 15, t0 + 7, a7f);
    }

    /**
     * Attention with output and LSE, one work-item per (query, head), no local memory, no barriers. Keys come
     * transposed ({@code kt: [kvHeads][headDim][keys]} at {@link #ktOff}) so that scores are built as
     * {@code s[j] += q[d]·kt[g][d][j]} over {@link #CPU_TILE_KEYS} contiguous keys, and the output as
     * {@code o[d] += p_j·v[j][d]} over contiguous d: loops without a reduction, which LLVM vectorizes (a dot product
     * per key stays scalar). Scores and the running output live in {@link #sc}. Work-items are numbered head-major:
     * the consecutive work-items a CPU runs in turn are consecutive queries of one head and share its K/V in cache
     * (numbered token-major, each one switched heads and streamed its head's K/V from memory: measured 1.2–1.5
     * GFLOP/s). A row that sees no key gets output 0 and LSE 0 (the per-call path sets its LSE to -inf).
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
        int visible = min(keys, max(0, t + causalOffset + 1));
        int qb = qOff + row * headDim;
        int sb = row * (CPU_TILE_KEYS + headDim);
        int ob = sb + CPU_TILE_KEYS;
        int kvStride = kvHeads * headDim;
        for (int d = 0; d < headDim; d++) {
            sc[ob + d] = 0f;
        }
        float m = NEG;
        float l = 0f;
        for (int j0 = 0; j0 < visible; j0 += CPU_TILE_KEYS) {
            int n = min(CPU_TILE_KEYS, visible - j0);
            for (int j = 0; j < n; j++) {
                sc[sb + j] = 0f;
            }
            // four channels per pass over the scores: one load and store of each score per four FMAs
            int d4 = headDim / 4 * 4;
            for (int d = 0; d < d4; d += 4) {
                float q0 = act[qb + d] * scale;
                float q1 = act[qb + d + 1] * scale;
                float q2 = act[qb + d + 2] * scale;
                float q3 = act[qb + d + 3] * scale;
                int k0 = ktOff + (g * headDim + d) * keys + j0;
                int k1 = k0 + keys;
                int k2 = k1 + keys;
                int k3 = k2 + keys;
                for (int j = 0; j < n; j++) {
                    sc[sb + j] += q0 * act[k0 + j] + q1 * act[k1 + j] + q2 * act[k2 + j] + q3 * act[k3 + j];
                }
            }
            for (int d = d4; d < headDim; d++) {
                float qd = act[qb + d] * scale;
                int kb = ktOff + (g * headDim + d) * keys + j0;
                for (int j = 0; j < n; j++) {
                    sc[sb + j] += qd * act[kb + j];
                }
            }
            float mt = NEG;
            for (int j = 0; j < n; j++) {
                mt = max(mt, sc[sb + j]);
            }
            float mNew = max(m, mt);
            float corr = exp(m - mNew);
            l = l * corr;
            for (int d = 0; d < headDim; d++) {
                sc[ob + d] = sc[ob + d] * corr;
            }
            // four keys per pass over the output, likewise
            int n4 = n / 4 * 4;
            for (int j = 0; j < n4; j += 4) {
                float p0 = exp(sc[sb + j] - mNew);
                float p1 = exp(sc[sb + j + 1] - mNew);
                float p2 = exp(sc[sb + j + 2] - mNew);
                float p3 = exp(sc[sb + j + 3] - mNew);
                l += (p0 + p1) + (p2 + p3);
                int v0 = vOff + (j0 + j) * kvStride + g * headDim;
                int v1 = v0 + kvStride;
                int v2 = v1 + kvStride;
                int v3 = v2 + kvStride;
                for (int d = 0; d < headDim; d++) {
                    sc[ob + d] += p0 * act[v0 + d] + p1 * act[v1 + d] + p2 * act[v2 + d] + p3 * act[v3 + d];
                }
            }
            for (int j = n4; j < n; j++) {
                float p = exp(sc[sb + j] - mNew);
                l += p;
                int vb = vOff + (j0 + j) * kvStride + g * headDim;
                for (int d = 0; d < headDim; d++) {
                    sc[ob + d] += p * act[vb + d];
                }
            }
            m = mNew;
        }
        float inv = visible > 0 ? 1f / l : 0f;
        int out = attOff + row * headDim;
        for (int d = 0; d < headDim; d++) {
            attStore(out + d, sc[ob + d] * inv);
        }
        attStore(lseOff + row, visible > 0 ? m + log(l) : 0f);
    }
}
