package io.starspark.kernels.aparapi;

import com.aparapi.Kernel;

/**
 * Flash attention returning output and log-sum-exp. A work-group holds {@code group} consecutive queries
 * of one head (one work-item each); it walks the keys in tiles of {@link #TILE_KEYS}, staging each tile's
 * K and V rows in local memory once for the whole group. A work-item keeps its running max, sum and 16
 * scores in registers (16 unrolled scores: deliberate, Aparapi has no register arrays) and its running
 * output in local memory, laid out {@code [headDim][group]} so neighbouring work-items touch neighbouring
 * floats. Rows that see no key are fixed up by the host (out = 0, lse = -inf).
 *
 * <p>CPU mode ({@code cpu = 1}, PoCL): one work-item per (query, head), no local memory, no barriers. K comes
 * transposed ({@code kt: [kvHeads][headDim][keys]}, by the host) so that scores are built as
 * {@code s[j] += q[d]·kt[g][d][j]} over {@link #CPU_TILE_KEYS} contiguous keys, and the output as {@code out[d] += p_j·v[j][d]}
 * over contiguous d: loops without a reduction, which LLVM vectorizes (a dot product per key stays scalar).
 */
final class AttentionKernel extends Kernel {
    static final int TILE_KEYS = 16;
    /** CPU mode: keys per score tile (long contiguous loops pay for LLVM's runtime alias checks). */
    static final int CPU_TILE_KEYS = 128;
    /** Largest head dim the K/V tiles hold. */
    static final int MAX_HEAD_DIM = 128;
    /** Floats of local memory for the running outputs: group · headDim ≤ this. */
    static final int OUT_CAPACITY = 4096;
    private static final float NEG = -3.0e38f;

    @Local final float[] kTile = new float[TILE_KEYS * MAX_HEAD_DIM]; // [TILE_KEYS][headDim]
    @Local final float[] vTile = new float[TILE_KEYS * MAX_HEAD_DIM]; // [TILE_KEYS][headDim]
    @Local final float[] acc = new float[OUT_CAPACITY]; // [headDim][group]

    float[] q; // [tokens][heads][headDim]
    float[] k; // [keys][kvHeads][headDim]
    float[] v; // [keys][kvHeads][headDim]
    float[] out; // [tokens][heads][headDim]
    float[] lse; // [tokens][heads]
    float[] kt; // CPU mode: [kvHeads][headDim][keys]
    float[] sc; // CPU mode: [tokens·heads][CPU_TILE_KEYS] scores scratch
    int cpu;
    int tokens;
    int heads;
    int kvHeads;
    int headDim;
    int keys;
    int causalOffset;
    int group; // queries per work-group
    int blocksPerHead; // ceil(tokens / group)
    float scale;

    @Override
    public void run() {
        if (cpu == 1) {
            runCpu();
            return;
        }
        int li = getLocalId();
        int gid = getGroupId();
        int h = gid / blocksPerHead;
        int t0 = (gid - h * blocksPerHead) * group;
        int t = t0 + li;
        int g = h / (heads / kvHeads);
        int visible = t < tokens ? min(keys, max(0, t + causalOffset + 1)) : 0;
        int lastT = min(tokens - 1, t0 + group - 1);
        int groupVisible = min(keys, max(0, lastT + causalOffset + 1));
        int qb = (t * heads + h) * headDim;
        int tileFloats = TILE_KEYS * headDim;
        for (int d = 0; d < headDim; d++) {
            acc[d * group + li] = 0f;
        }
        float m = NEG;
        float l = 0f;
        for (int j0 = 0; j0 < groupVisible; j0 += TILE_KEYS) {
            for (int e = li; e < tileFloats; e += group) {
                int j = e / headDim;
                int d = e - j * headDim;
                int src = ((j0 + j) * kvHeads + g) * headDim + d;
                kTile[e] = j0 + j < keys ? k[src] : 0f;
                vTile[e] = j0 + j < keys ? v[src] : 0f;
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
                    float qd = q[qb + d];
                    s0 += qd * kTile[d];
                    s1 += qd * kTile[headDim + d];
                    s2 += qd * kTile[2 * headDim + d];
                    s3 += qd * kTile[3 * headDim + d];
                    s4 += qd * kTile[4 * headDim + d];
                    s5 += qd * kTile[5 * headDim + d];
                    s6 += qd * kTile[6 * headDim + d];
                    s7 += qd * kTile[7 * headDim + d];
                    s8 += qd * kTile[8 * headDim + d];
                    s9 += qd * kTile[9 * headDim + d];
                    s10 += qd * kTile[10 * headDim + d];
                    s11 += qd * kTile[11 * headDim + d];
                    s12 += qd * kTile[12 * headDim + d];
                    s13 += qd * kTile[13 * headDim + d];
                    s14 += qd * kTile[14 * headDim + d];
                    s15 += qd * kTile[15 * headDim + d];
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
                    float o = acc[d * group + li] * corr;
                    o += p0 * vTile[d] + p1 * vTile[headDim + d] + p2 * vTile[2 * headDim + d]
                            + p3 * vTile[3 * headDim + d];
                    o += p4 * vTile[4 * headDim + d] + p5 * vTile[5 * headDim + d] + p6 * vTile[6 * headDim + d]
                            + p7 * vTile[7 * headDim + d];
                    o += p8 * vTile[8 * headDim + d] + p9 * vTile[9 * headDim + d] + p10 * vTile[10 * headDim + d]
                            + p11 * vTile[11 * headDim + d];
                    o += p12 * vTile[12 * headDim + d] + p13 * vTile[13 * headDim + d]
                            + p14 * vTile[14 * headDim + d] + p15 * vTile[15 * headDim + d];
                    acc[d * group + li] = o;
                }
                m = mNew;
            }
            localBarrier();
        }
        if (t < tokens) {
            float inv = visible > 0 ? 1f / l : 0f;
            for (int d = 0; d < headDim; d++) {
                out[qb + d] = acc[d * group + li] * inv;
            }
            lse[t * heads + h] = visible > 0 ? m + log(l) : 0f;
        }
    }

    /**
     * Work-items are numbered head-major: the consecutive work-items a CPU runs in turn are consecutive queries of
     * one head and share its K/V in cache (numbered token-major, each one switched heads and streamed its head's
     * K/V from memory: measured 1.2–1.5 GFLOP/s).
     */
    private void runCpu() {
        int gid = getGlobalId();
        if (gid >= tokens * heads) {
            return;
        }
        int h = gid / tokens;
        int t = gid - h * tokens;
        int row = t * heads + h;
        int g = h / (heads / kvHeads);
        int visible = min(keys, max(0, t + causalOffset + 1));
        int qb = row * headDim;
        int sb = row * CPU_TILE_KEYS;
        int kvStride = kvHeads * headDim;
        for (int d = 0; d < headDim; d++) {
            out[qb + d] = 0f;
        }
        float m = NEG;
        float l = 0f;
        for (int j0 = 0; j0 < visible; j0 += CPU_TILE_KEYS) {
            int n = min(CPU_TILE_KEYS, visible - j0);
            for (int j = 0; j < n; j++) {
                sc[sb + j] = 0f;
            }
            for (int d = 0; d < headDim; d++) {
                float qd = q[qb + d] * scale;
                int kb = (g * headDim + d) * keys + j0;
                for (int j = 0; j < n; j++) {
                    sc[sb + j] += qd * kt[kb + j];
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
                out[qb + d] = out[qb + d] * corr;
            }
            for (int j = 0; j < n; j++) {
                float p = exp(sc[sb + j] - mNew);
                l += p;
                int vb = (j0 + j) * kvStride + g * headDim;
                for (int d = 0; d < headDim; d++) {
                    out[qb + d] += p * v[vb + d];
                }
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
