package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The P·V product of {@link JavaAttention} with queries in vector lanes, the mirror of
 * {@link AttentionScores#scores}: each value element is broadcast straight from {@code v} against
 * a row of p, so any head dim keeps the lanes full (at head dim 8 or 16 with 16 lanes, value vectors
 * would leave lanes idle or fall to scalar code).
 *
 * <pre>
 * p:    [BK][rp]                    probabilities of a key tile, keys as rows
 * v:    [keys][kvHeads][headDim]    read in place, KV head g, keys [j0, j0 + bk)
 * ot:   [headDim][rp]               running Σ p·v, transposed
 * corr: st[3·rp, 4·rp)              rescale factor per query row ({@link #rescale})
 * </pre>
 * Every (d, row) sum runs over keys ascending, the same order for every split and JIT tier.
 */
final class LaneAccumulate {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();

    private LaneAccumulate() {
    }

    /** ot[d][r] += Σ_j p[j][r] · v[j0 + j][g][d] for r &lt; rp, d &lt; headDim. */
    static void accumulate(float[] p, float[] v, float[] ot, AttentionShape s, int g, int j0, int bk,
                           int rp) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int vBase = (j0 * s.kvHeads() + g) * hd;
        int full = rp / (4 * VL) * (4 * VL);
        int d4 = hd / 4 * 4;
        for (int off = 0; off < full; off += 4 * VL) {
            for (int d = 0; d < d4; d += 4) {
                accumulate4x4(p, v, ot, vBase + d, stride, bk, rp, off, d * rp + off);
            }
        }
        for (int d = 0; d < hd; d++) {
            int from = d < d4 ? full : 0;
            for (int off = from; off < rp; off += VL) {
                accumulate1(p, v, ot, vBase + d, stride, bk, rp, off, d * rp + off);
            }
        }
    }

    /** One value element against query lanes [off, off + VL). */
    private static void accumulate1(float[] p, float[] v, float[] ot, int vb, int stride, int bk, int rp,
                                    int off, int ob) {
        FloatVector acc = FloatVector.fromArray(S, ot, ob);
        for (int j = 0; j < bk; j++) {
            acc = FloatVector.broadcast(S, v[vb + j * stride]).fma(FloatVector.fromArray(S, p, j * rp + off), acc);
        }
        acc.intoArray(ot, ob);
    }

    /** 4 value elements × 4 query vectors: 16 accumulators, 4 p loads and 4 value broadcasts per key. */
    private static void accumulate4x4(float[] p, float[] v, float[] ot, int vb, int stride, int bk,
                                      int rp, int off, int ob) {
        FloatVector a0 = FloatVector.fromArray(S, ot, ob), a1 = FloatVector.fromArray(S, ot, ob + VL);
        FloatVector a2 = FloatVector.fromArray(S, ot, ob + 2 * VL), a3 = FloatVector.fromArray(S, ot, ob + 3 * VL);
        int o1 = ob + rp;
        FloatVector b0 = FloatVector.fromArray(S, ot, o1), b1 = FloatVector.fromArray(S, ot, o1 + VL);
        FloatVector b2 = FloatVector.fromArray(S, ot, o1 + 2 * VL), b3 = FloatVector.fromArray(S, ot, o1 + 3 * VL);
        int o2 = ob + 2 * rp;
        FloatVector e0 = FloatVector.fromArray(S, ot, o2), e1 = FloatVector.fromArray(S, ot, o2 + VL);
        FloatVector e2 = FloatVector.fromArray(S, ot, o2 + 2 * VL), e3 = FloatVector.fromArray(S, ot, o2 + 3 * VL);
        int o3 = ob + 3 * rp;
        FloatVector f0 = FloatVector.fromArray(S, ot, o3), f1 = FloatVector.fromArray(S, ot, o3 + VL);
        FloatVector f2 = FloatVector.fromArray(S, ot, o3 + 2 * VL), f3 = FloatVector.fromArray(S, ot, o3 + 3 * VL);
        for (int j = 0; j < bk; j++) {
            int pj = j * rp + off;
            FloatVector p0 = FloatVector.fromArray(S, p, pj);
            FloatVector p1 = FloatVector.fromArray(S, p, pj + VL);
            FloatVector p2 = FloatVector.fromArray(S, p, pj + 2 * VL);
            FloatVector p3 = FloatVector.fromArray(S, p, pj + 3 * VL);
            int vj = vb + j * stride;
            FloatVector x = FloatVector.broadcast(S, v[vj]);
            a0 = x.fma(p0, a0);
            a1 = x.fma(p1, a1);
            a2 = x.fma(p2, a2);
            a3 = x.fma(p3, a3);
            x = FloatVector.broadcast(S, v[vj + 1]);
            b0 = x.fma(p0, b0);
            b1 = x.fma(p1, b1);
            b2 = x.fma(p2, b2);
            b3 = x.fma(p3, b3);
            x = FloatVector.broadcast(S, v[vj + 2]);
            e0 = x.fma(p0, e0);
            e1 = x.fma(p1, e1);
            e2 = x.fma(p2, e2);
            e3 = x.fma(p3, e3);
            x = FloatVector.broadcast(S, v[vj + 3]);
            f0 = x.fma(p0, f0);
            f1 = x.fma(p1, f1);
            f2 = x.fma(p2, f2);
            f3 = x.fma(p3, f3);
        }
        store4(ot, ob, a0, a1, a2, a3);
        store4(ot, o1, b0, b1, b2, b3);
        store4(ot, o2, e0, e1, e2, e3);
        store4(ot, o3, f0, f1, f2, f3);
    }

    /** ot[d][r] *= corr[r], lane-wise (a no-op where the running max did not move: corr is 1). */
    static void rescale(float[] ot, float[] st, int rp, int hd) {
        for (int off = 0; off < rp; off += VL) {
            FloatVector c = FloatVector.fromArray(S, st, 3 * rp + off);
            for (int d = 0; d < hd; d++) {
                FloatVector.fromArray(S, ot, d * rp + off).mul(c).intoArray(ot, d * rp + off);
            }
        }
    }

    private static void store4(float[] a, int off, FloatVector x0, FloatVector x1, FloatVector x2, FloatVector x3) {
        x0.intoArray(a, off);
        x1.intoArray(a, off + VL);
        x2.intoArray(a, off + 2 * VL);
        x3.intoArray(a, off + 3 * VL);
    }
}
