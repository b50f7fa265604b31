package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash-style attention: for one KV head g and a block of query tokens, the rows are
 * (token, head of group g); each key tile is transposed once and shared by all of them (GQA).
 * Per row an online softmax keeps (max m, sum l, unnormalised output O).
 *
 * <pre>
 * qs: [rows][headDim]    queries of the block, pre-scaled by 1/sqrt(headDim)
 * kt: [headDim][BK]      key tile, transposed, zero past the last key
 * p:  [rows][BK]         scores, then exp(score - m)
 * o:  [rows][headDim]    running Σ p·v
 * ml: [2][rows]          running max, running sum
 * </pre>
 */
final class JavaAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Keys per tile (a multiple of every vector length). */
    static final int BK = 128;
    /** Target rows (tokens × group heads) per block. */
    private static final int ROWS = 64;

    private JavaAttention() {
    }

    static void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                          Parallel par, ThreadLocal<Scratch> scratch) {
        s.check(q, k, v, out, lse);
        int blockTokens = Math.max(1, ROWS / s.groupSize());
        int blocks = (s.tokens() + blockTokens - 1) / blockTokens;
        int tasks = blocks * s.kvHeads();
        // many small tasks: causal blocks differ in work, the pool balances them
        par.forRange(tasks, tasks, (a, b) -> {
            for (int task = a; task < b; task++) {
                int g = task % s.kvHeads();
                int t0 = (task / s.kvHeads()) * blockTokens;
                block(s, q, k, v, out, lse, g, t0, Math.min(s.tokens(), t0 + blockTokens), scratch.get());
            }
        });
    }

    private static void block(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                              int g, int t0, int t1, Scratch sc) {
        int hd = s.headDim();
        int gs = s.groupSize();
        int rows = (t1 - t0) * gs;
        float[] qs = sc.a(rows * hd);
        float[] kt = sc.b(hd * BK);
        float[] p = sc.c(rows * BK);
        float[] o = sc.d(rows * hd);
        float[] ml = sc.row(2 * rows);
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int r = 0; r < rows; r++) {
            int src = ((t0 + r / gs) * s.heads() + g * gs + r % gs) * hd;
            for (int d = 0; d < hd; d++) {
                qs[r * hd + d] = q[src + d] * scale;
                o[r * hd + d] = 0f;
            }
            ml[r] = Float.NEGATIVE_INFINITY;
            ml[rows + r] = 0f;
        }
        int maxVisible = s.visibleKeys(t1 - 1);
        for (int j0 = 0; j0 < maxVisible; j0 += BK) {
            int bk = Math.min(BK, maxVisible - j0);
            packKeys(kt, k, s, g, j0, bk);
            scores(qs, kt, p, rows, hd, (bk + VL - 1) / VL * VL);
            for (int r = 0; r < rows; r++) {
                int valid = Math.min(bk, s.visibleKeys(t0 + r / gs) - j0);
                softmaxRow(p, r, valid, bk, o, hd, ml, rows);
            }
            accumulate(p, v, o, s, g, j0, bk, rows);
        }
        finish(s, out, lse, o, ml, g, t0, rows);
    }

    /** kt[d][j] = k[j0 + j][g][d], zero for j in [bk, BK). */
    private static void packKeys(float[] kt, float[] k, AttentionShape s, int g, int j0, int bk) {
        int hd = s.headDim();
        for (int j = 0; j < BK; j++) {
            if (j >= bk) {
                for (int d = 0; d < hd; d++) {
                    kt[d * BK + j] = 0f;
                }
                continue;
            }
            int src = ((j0 + j) * s.kvHeads() + g) * hd;
            for (int d = 0; d < hd; d++) {
                kt[d * BK + j] = k[src + d];
            }
        }
    }

    /** p[r][j] = Σ_d qs[r][d] · kt[d][j] for j &lt; width (a multiple of VL); 4 rows share each key load. */
    private static void scores(float[] qs, float[] kt, float[] p, int rows, int hd, int width) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int q0 = r * hd;
            int j = 0;
            for (; j + 2 * VL <= width; j += 2 * VL) {
                scores4x2(qs, q0, hd, kt, j, p, r);
            }
            for (; j < width; j += VL) {
                FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
                for (int d = 0; d < hd; d++) {
                    FloatVector kv = FloatVector.fromArray(S, kt, d * BK + j);
                    a0 = FloatVector.broadcast(S, qs[q0 + d]).fma(kv, a0);
                    a1 = FloatVector.broadcast(S, qs[q0 + hd + d]).fma(kv, a1);
                    a2 = FloatVector.broadcast(S, qs[q0 + 2 * hd + d]).fma(kv, a2);
                    a3 = FloatVector.broadcast(S, qs[q0 + 3 * hd + d]).fma(kv, a3);
                }
                a0.intoArray(p, r * BK + j);
                a1.intoArray(p, (r + 1) * BK + j);
                a2.intoArray(p, (r + 2) * BK + j);
                a3.intoArray(p, (r + 3) * BK + j);
            }
        }
        for (; r < rows; r++) {
            for (int j = 0; j < width; j += VL) {
                FloatVector a0 = FloatVector.zero(S);
                for (int d = 0; d < hd; d++) {
                    a0 = FloatVector.broadcast(S, qs[r * hd + d]).fma(FloatVector.fromArray(S, kt, d * BK + j), a0);
                }
                a0.intoArray(p, r * BK + j);
            }
        }
    }

    /** p[r..r+4)[j..j+2·VL) of {@link #scores}: 8 accumulators, 2 key loads and 4 broadcasts per step. */
    private static void scores4x2(float[] qs, int q0, int hd, float[] kt, int j, float[] p, int r) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S), a2 = FloatVector.zero(S), a3 = FloatVector.zero(S);
        FloatVector b0 = FloatVector.zero(S), b1 = FloatVector.zero(S), b2 = FloatVector.zero(S), b3 = FloatVector.zero(S);
        for (int d = 0; d < hd; d++) {
            FloatVector k0 = FloatVector.fromArray(S, kt, d * BK + j);
            FloatVector k1 = FloatVector.fromArray(S, kt, d * BK + j + VL);
            FloatVector x0 = FloatVector.broadcast(S, qs[q0 + d]);
            FloatVector x1 = FloatVector.broadcast(S, qs[q0 + hd + d]);
            FloatVector x2 = FloatVector.broadcast(S, qs[q0 + 2 * hd + d]);
            FloatVector x3 = FloatVector.broadcast(S, qs[q0 + 3 * hd + d]);
            a0 = x0.fma(k0, a0);
            b0 = x0.fma(k1, b0);
            a1 = x1.fma(k0, a1);
            b1 = x1.fma(k1, b1);
            a2 = x2.fma(k0, a2);
            b2 = x2.fma(k1, b2);
            a3 = x3.fma(k0, a3);
            b3 = x3.fma(k1, b3);
        }
        a0.intoArray(p, r * BK + j);
        b0.intoArray(p, r * BK + j + VL);
        a1.intoArray(p, (r + 1) * BK + j);
        b1.intoArray(p, (r + 1) * BK + j + VL);
        a2.intoArray(p, (r + 2) * BK + j);
        b2.intoArray(p, (r + 2) * BK + j + VL);
        a3.intoArray(p, (r + 3) * BK + j);
        b3.intoArray(p, (r + 3) * BK + j + VL);
    }

    /** o[r..r+4)[d..d+2·VL) += p·v: 8 accumulators, 2 value loads and 4 broadcasts per key. */
    private static void accumulate4x2(float[] p, float[] v, float[] o, int hd, int stride, int vBase, int bk, int r, int d) {
        int o0 = r * hd + d;
        FloatVector a0 = FloatVector.fromArray(S, o, o0), b0 = FloatVector.fromArray(S, o, o0 + VL);
        FloatVector a1 = FloatVector.fromArray(S, o, o0 + hd), b1 = FloatVector.fromArray(S, o, o0 + hd + VL);
        FloatVector a2 = FloatVector.fromArray(S, o, o0 + 2 * hd), b2 = FloatVector.fromArray(S, o, o0 + 2 * hd + VL);
        FloatVector a3 = FloatVector.fromArray(S, o, o0 + 3 * hd), b3 = FloatVector.fromArray(S, o, o0 + 3 * hd + VL);
        int pb = r * BK;
        for (int j = 0; j < bk; j++) {
            int vb = vBase + j * stride + d;
            FloatVector v0 = FloatVector.fromArray(S, v, vb);
            FloatVector v1 = FloatVector.fromArray(S, v, vb + VL);
            FloatVector x0 = FloatVector.broadcast(S, p[pb + j]);
            FloatVector x1 = FloatVector.broadcast(S, p[pb + BK + j]);
            FloatVector x2 = FloatVector.broadcast(S, p[pb + 2 * BK + j]);
            FloatVector x3 = FloatVector.broadcast(S, p[pb + 3 * BK + j]);
            a0 = x0.fma(v0, a0);
            b0 = x0.fma(v1, b0);
            a1 = x1.fma(v0, a1);
            b1 = x1.fma(v1, b1);
            a2 = x2.fma(v0, a2);
            b2 = x2.fma(v1, b2);
            a3 = x3.fma(v0, a3);
            b3 = x3.fma(v1, b3);
        }
        a0.intoArray(o, o0);
        b0.intoArray(o, o0 + VL);
        a1.intoArray(o, o0 + hd);
        b1.intoArray(o, o0 + hd + VL);
        a2.intoArray(o, o0 + 2 * hd);
        b2.intoArray(o, o0 + 2 * hd + VL);
        a3.intoArray(o, o0 + 3 * hd);
        b3.intoArray(o, o0 + 3 * hd + VL);
    }

    /** Online-softmax update of row r; p[r][0..bk) becomes exp(score - m), 0 where masked. */
    private static void softmaxRow(float[] p, int r, int valid, int bk, float[] o, int hd, float[] ml, int rows) {
        int base = r * BK;
        if (valid <= 0) {
            java.util.Arrays.fill(p, base, base + bk, 0f);
            return;
        }
        float tileMax = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < valid; j++) {
            tileMax = Math.max(tileMax, p[base + j]);
        }
        float mOld = ml[r];
        float mNew = Math.max(mOld, tileMax);
        float corr = VectorExp.exp(mOld - mNew);
        int j = 0;
        FloatVector sum = FloatVector.zero(S);
        for (; j + VL <= valid; j += VL) {
            FloatVector e = VectorExp.exp(FloatVector.fromArray(S, p, base + j).sub(mNew), S);
            e.intoArray(p, base + j);
            sum = sum.add(e);
        }
        float l = sum.reduceLanes(VectorOperators.ADD);
        for (; j < valid; j++) {
            float e = VectorExp.exp(p[base + j] - mNew);
            p[base + j] = e;
            l += e;
        }
        for (; j < bk; j++) {
            p[base + j] = 0f;
        }
        ml[r] = mNew;
        ml[rows + r] = ml[rows + r] * corr + l;
        if (corr != 1f) {
            for (int d = 0; d < hd; d++) {
                o[r * hd + d] *= corr;
            }
        }
    }

    /** o[r][d] += Σ_j p[r][j] · v[j0 + j][g][d]; 4 rows share each value load. */
    private static void accumulate(float[] p, float[] v, float[] o, AttentionShape s, int g, int j0, int bk, int rows) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int vBase = (j0 * s.kvHeads() + g) * hd;
        int dv = hd / VL * VL;
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int d = 0;
            for (; d + 2 * VL <= dv; d += 2 * VL) {
                accumulate4x2(p, v, o, hd, stride, vBase, bk, r, d);
            }
            for (; d < dv; d += VL) {
                int o0 = r * hd + d;
                FloatVector a0 = FloatVector.fromArray(S, o, o0);
                FloatVector a1 = FloatVector.fromArray(S, o, o0 + hd);
                FloatVector a2 = FloatVector.fromArray(S, o, o0 + 2 * hd);
                FloatVector a3 = FloatVector.fromArray(S, o, o0 + 3 * hd);
                int pb = r * BK;
                for (int j = 0; j < bk; j++) {
                    FloatVector vv = FloatVector.fromArray(S, v, vBase + j * stride + d);
                    a0 = FloatVector.broadcast(S, p[pb + j]).fma(vv, a0);
                    a1 = FloatVector.broadcast(S, p[pb + BK + j]).fma(vv, a1);
                    a2 = FloatVector.broadcast(S, p[pb + 2 * BK + j]).fma(vv, a2);
                    a3 = FloatVector.broadcast(S, p[pb + 3 * BK + j]).fma(vv, a3);
                }
                a0.intoArray(o, o0);
                a1.intoArray(o, o0 + hd);
                a2.intoArray(o, o0 + 2 * hd);
                a3.intoArray(o, o0 + 3 * hd);
            }
        }
        for (int rr = 0; rr < rows; rr++) {
            int dFrom = rr < r ? dv : 0;
            for (int d = dFrom; d < hd; d++) {
                float acc = o[rr * hd + d];
                for (int j = 0; j < bk; j++) {
                    acc += p[rr * BK + j] * v[vBase + j * stride + d];
                }
                o[rr * hd + d] = acc;
            }
        }
    }

    private static void finish(AttentionShape s, float[] out, float[] lse, float[] o, float[] ml,
                               int g, int t0, int rows) {
        int hd = s.headDim();
        int gs = s.groupSize();
        for (int r = 0; r < rows; r++) {
            int row = (t0 + r / gs) * s.heads() + g * gs + r % gs;
            float l = ml[rows + r];
            float inv = l > 0f ? 1f / l : 0f;
            for (int d = 0; d < hd; d++) {
                out[row * hd + d] = o[r * hd + d] * inv;
            }
            lse[row] = l > 0f ? (float) (ml[r] + Math.log(l)) : Float.NEGATIVE_INFINITY;
        }
    }
}
