package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two matrix products of {@link JavaAttention} over one key tile, as register-tiled micro-kernels.
 *
 * <pre>
 * qt: [headDim][rp]                 transposed queries (rp a multiple of the vector length)
 * k, v: [keys][kvHeads][headDim]    read in place, KV head g, keys [j0, j0 + bk)
 * p:  [BK][rp]                      scores / probabilities, keys as rows
 * o:  [rp][headDim]                 output accumulator
 * </pre>
 */
final class AttentionScores {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private AttentionScores() {
    }

    /** p[j][r] = Σ_d k[j0 + j][g][d] · qt[d][r] for j &lt; bk, r &lt; rp. */
    static void scores(float[] qt, float[] k, float[] p, AttentionShape s, int g, int j0, int bk, int rp) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int kBase = (j0 * s.kvHeads() + g) * hd;
        int full = rp / (4 * VL) * (4 * VL); // query lanes covered by 4-vector register tiles
        int j = 0;
        for (; j + 4 <= bk; j += 4) {
            for (int off = 0; off < full; off += 4 * VL) {
                scores4x4(qt, k, kBase + j * stride, stride, p, j * rp + off, hd, rp, off);
            }
            for (int jj = j; jj < j + 4; jj++) {
                scores1(qt, k, kBase + jj * stride, p, jj * rp, hd, rp, full);
            }
        }
        for (; j < bk; j++) {
            scores1(qt, k, kBase + j * stride, p, j * rp, hd, rp, 0);
        }
    }

    /** One key against query lanes [from, rp). */
    private static void scores1(float[] qt, float[] k, int kb, float[] p, int pb, int hd, int rp, int from) {
        for (int off = from; off < rp; off += VL) {
            FloatVector acc = FloatVector.zero(S);
            for (int d = 0; d < hd; d++) {
                acc = FloatVector.broadcast(S, k[kb + d]).fma(FloatVector.fromArray(S, qt, d * rp + off), acc);
            }
            acc.intoArray(p, pb + off);
        }
    }

    /** 4 keys × 4 query vectors: 16 accumulators, 4 query loads and 4 key broadcasts per step. */
    private static void scores4x4(float[] qt, float[] k, int kb, int stride, float[] p, int pb, int hd, int rp,
                                  int qOff) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        FloatVector e0 = a0, e1 = a0, e2 = a0, e3 = a0;
        for (int d = 0; d < hd; d++) {
            int qb = d * rp + qOff;
            FloatVector q0 = FloatVector.fromArray(S, qt, qb);
            FloatVector q1 = FloatVector.fromArray(S, qt, qb + VL);
            FloatVector q2 = FloatVector.fromArray(S, qt, qb + 2 * VL);
            FloatVector q3 = FloatVector.fromArray(S, qt, qb + 3 * VL);
            FloatVector x = FloatVector.broadcast(S, k[kb + d]);
            a0 = x.fma(q0, a0);
            a1 = x.fma(q1, a1);
            a2 = x.fma(q2, a2);
            a3 = x.fma(q3, a3);
            x = FloatVector.broadcast(S, k[kb + stride + d]);
            b0 = x.fma(q0, b0);
            b1 = x.fma(q1, b1);
            b2 = x.fma(q2, b2);
            b3 = x.fma(q3, b3);
            x = FloatVector.broadcast(S, k[kb + 2 * stride + d]);
            c0 = x.fma(q0, c0);
            c1 = x.fma(q1, c1);
            c2 = x.fma(q2, c2);
            c3 = x.fma(q3, c3);
            x = FloatVector.broadcast(S, k[kb + 3 * stride + d]);
            e0 = x.fma(q0, e0);
            e1 = x.fma(q1, e1);
            e2 = x.fma(q2, e2);
            e3 = x.fma(q3, e3);
        }
        store4(p, pb, a0, a1, a2, a3);
        store4(p, pb + rp, b0, b1, b2, b3);
        store4(p, pb + 2 * rp, c0, c1, c2, c3);
        store4(p, pb + 3 * rp, e0, e1, e2, e3);
    }

    private static void store4(float[] a, int off, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        x0.intoArray(a, off);
        x1.intoArray(a, off + VL);
        x2.intoArray(a, off + 2 * VL);
        x3.intoArray(a, off + 3 * VL);
    }

    /** o[r][d] += Σ_j p[j][r] · v[j0 + j][g][d] for r &lt; rp, keys in ascending order. */
    static void accumulate(float[] p, float[] v, float[] o, AttentionShape s, int g, int j0, int bk, int rp) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int vBase = (j0 * s.kvHeads() + g) * hd;
        int dv = hd / VL * VL;
        for (int r = 0; r < rp; r += 4) {
            int d = 0;
            for (; d + 4 * VL <= dv; d += 4 * VL) {
                accumulate4x4(p, v, o, hd, stride, vBase + d, bk, r, rp, r * hd + d);
            }
            for (; d < dv; d += VL) {
                for (int i = 0; i < 4; i++) {
                    FloatVector acc = FloatVector.fromArray(S, o, (r + i) * hd + d);
                    for (int j = 0; j < bk; j++) {
                        acc = FloatVector.broadcast(S, p[j * rp + r + i])
                                .fma(FloatVector.fromArray(S, v, vBase + j * stride + d), acc);
                    }
                    acc.intoArray(o, (r + i) * hd + d);
                }
            }
            for (int i = 0; i < 4; i++) {
                for (int dd = dv; dd < hd; dd++) {
                    float acc = o[(r + i) * hd + dd];
                    for (int j = 0; j < bk; j++) {
                        acc = Math.fma(p[j * rp + r + i], v[vBase + j * stride + dd], acc);
                    }
                    o[(r + i) * hd + dd] = acc;
                }
            }
        }
    }

    /** 4 rows × 4 value vectors: 16 accumulators, 4 value loads and 4 broadcasts per key. */
    private static void accumulate4x4(float[] p, float[] v, float[] o, int hd, int stride, int vb, int bk,
                                      int r, int rp, int ob) {
        FloatVector a0 = FloatVector.fromArray(S, o, ob), a1 = FloatVector.fromArray(S, o, ob + VL);
        FloatVector a2 = FloatVector.fromArray(S, o, ob + 2 * VL), a3 = FloatVector.fromArray(S, o, ob + 3 * VL);
        FloatVector b0 = FloatVector.fromArray(S, o, ob + hd), b1 = FloatVector.fromArray(S, o, ob + hd + VL);
        FloatVector b2 = FloatVector.fromArray(S, o, ob + hd + 2 * VL), b3 = FloatVector.fromArray(S, o, ob + hd + 3 * VL);
        int oc = ob + 2 * hd;
        FloatVector c0 = FloatVector.fromArray(S, o, oc), c1 = FloatVector.fromArray(S, o, oc + VL);
        FloatVector c2 = FloatVector.fromArray(S, o, oc + 2 * VL), c3 = FloatVector.fromArray(S, o, oc + 3 * VL);
        int oe = ob + 3 * hd;
        FloatVector e0 = FloatVector.fromArray(S, o, oe), e1 = FloatVector.fromArray(S, o, oe + VL);
        FloatVector e2 = FloatVector.fromArray(S, o, oe + 2 * VL), e3 = FloatVector.fromArray(S, o, oe + 3 * VL);
        for (int j = 0; j < bk; j++) {
            int vj = vb + j * stride;
            FloatVector v0 = FloatVector.fromArray(S, v, vj);
            FloatVector v1 = FloatVector.fromArray(S, v, vj + VL);
            FloatVector v2 = FloatVector.fromArray(S, v, vj + 2 * VL);
            FloatVector v3 = FloatVector.fromArray(S, v, vj + 3 * VL);
            int pj = j * rp + r;
            FloatVector x = FloatVector.broadcast(S, p[pj]);
            a0 = x.fma(v0, a0);
            a1 = x.fma(v1, a1);
            a2 = x.fma(v2, a2);
            a3 = x.fma(v3, a3);
            x = FloatVector.broadcast(S, p[pj + 1]);
            b0 = x.fma(v0, b0);
            b1 = x.fma(v1, b1);
            b2 = x.fma(v2, b2);
            b3 = x.fma(v3, b3);
            x = FloatVector.broadcast(S, p[pj + 2]);
            c0 = x.fma(v0, c0);
            c1 = x.fma(v1, c1);
            c2 = x.fma(v2, c2);
            c3 = x.fma(v3, c3);
            x = FloatVector.broadcast(S, p[pj + 3]);
            e0 = x.fma(v0, e0);
            e1 = x.fma(v1, e1);
            e2 = x.fma(v2, e2);
            e3 = x.fma(v3, e3);
        }
        store4(o, ob, a0, a1, a2, a3);
        store4(o, ob + hd, b0, b1, b2, b3);
        store4(o, oc, c0, c1, c2, c3);
        store4(o, oe, e0, e1, e2, e3);
    }
}
