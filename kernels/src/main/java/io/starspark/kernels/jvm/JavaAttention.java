package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Flash-style attention with queries in vector lanes. For one KV head g and a block of query
 * tokens, the rows are (token, head of group g), padded to {@code rp} (a multiple of the vector
 * length). Scores are computed with keys as rows: each key element is broadcast straight from
 * {@code k} (no key transpose) against the transposed queries, so the online softmax (max, rescale,
 * exp, sum) runs lane-wise per query with no horizontal reductions.
 *
 * <pre>
 * qt: [headDim][rp]   queries of the block, transposed, pre-scaled by 1/sqrt(headDim), zero past rows
 * p:  [BK][rp]        scores of a key tile, then exp(score - m), 0 where masked
 * o:  [rp][headDim]   running Σ p·v ([headDim][rp] below head dim {@link #LANE_HD})
 * st: [5][rp]         running max m, running sum l, visible keys per row, last rescale factor, shift
 * </pre>
 * Every sum runs in a fixed order (keys ascending within and across tiles), independent of threads.
 */
final class JavaAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Keys per tile. */
    static final int BK = 64;
    /**
     * Query rows per block: K and V are streamed once per block, so more rows means less traffic
     * (at 8192 keys K+V = 4 MiB per KV head, beyond L2). Measured best among 64..256 rows × 32..128 keys.
     */
    private static final int ROWS = 16 * VL;
    /** Head dims below this accumulate P·V with queries in lanes ({@link LaneAccumulate}, o transposed). */
    static final int LANE_HD = 32;

    /**
     * Query rows per block below head dim {@link #LANE_HD}: one 4-vector register tile, so p stays in
     * L1 and causal blocks skip more masked keys; K and V are small there (8192 keys × hd 8 = 512 KiB).
     */
    private static final int SMALL_ROWS = 4 * VL;

    private JavaAttention() {
    }

    private static int rows(int hd) {
        return hd < LANE_HD ? SMALL_ROWS : ROWS;
    }

    static void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                          Parallel par, ThreadLocal<Scratch> scratch) {
        s.check(q, k, v, out, lse);
        int blockTokens = Math.max(1, rows(s.headDim()) / s.groupSize());
        int blocks = (s.tokens() + blockTokens - 1) / blockTokens;
        int tasks = blocks * s.kvHeads();
        // many small tasks: causal blocks differ in work, the pool balances them; a small call (decode
        // over a short context) runs inline, the pool hand-off would cost more than the work
        long flops = 4L * s.tokens() * s.heads() * s.headDim() * s.visibleKeys(s.tokens() - 1);
        int chunks = flops < Parallel.MIN_PARALLEL_FLOPS ? 1 : tasks;
        par.forRange(tasks, chunks, (a, b) -> {
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
        int rp = (rows + VL - 1) / VL * VL;
        float[] qt = sc.a(hd * rp);
        float[] st = sc.b(5 * rp);
        float[] p = sc.c(BK * rp);
        float[] o = sc.d(rp * hd);
        float scale = (float) (1.0 / Math.sqrt(hd));
        for (int r = 0; r < rp; r++) {
            int src = ((t0 + r / gs) * s.heads() + g * gs + r % gs) * hd;
            for (int d = 0; d < hd; d++) {
                qt[d * rp + r] = r < rows ? q[src + d] * scale : 0f;
                o[r * hd + d] = 0f;
            }
            st[r] = Float.NEGATIVE_INFINITY;
            st[rp + r] = 0f;
            st[2 * rp + r] = r < rows ? s.visibleKeys(t0 + r / gs) : 0;
        }
        boolean few = FewRowsAttention.applies(rows, hd);
        float[] qs = few ? sc.row(rows * hd) : null; // [rows][hd]
        float[] lanes = sc.lanes;
        boolean lanesOut = !few && hd < LANE_HD; // o: [headDim][rp] instead of [rp][headDim]
        if (few) {
            for (int d = 0; d < rows * hd; d++) {
                qs[d] = qt[(d % hd) * rp + d / hd];
            }
        }
        int minVisible = s.visibleKeys(t0);
        int maxVisible = s.visibleKeys(t1 - 1);
        for (int j0 = 0; j0 < maxVisible; j0 += BK) {
            int bk = Math.min(BK, maxVisible - j0);
            if (few) {
                FewRowsAttention.scores(qs, k, p, s, g, j0, bk, rp, rows, lanes);
            } else {
                AttentionScores.scores(qt, k, p, s, g, j0, bk, rp);
            }
            softmax(p, st, j0, bk, rp, j0 + bk > minVisible);
            if (lanesOut) {
                LaneAccumulate.rescale(o, st, rp, hd);
                LaneAccumulate.accumulate(p, v, o, s, g, j0, bk, rp);
                continue;
            }
            rescale(o, st, rp, hd);
            if (few) {
                FewRowsAttention.accumulate(p, v, o, s, g, j0, bk, rp, rows);
            } else {
                AttentionScores.accumulate(p, v, o, s, g, j0, bk, rp);
            }
        }
        finish(s, out, lse, o, st, g, t0, rows, rp, lanesOut);
    }

    /**
     * Online-softmax update, lane-wise per query: p becomes exp(score - m), 0 where masked. Split in
     * three methods with one {@link VectorExp#exp} call site each: in one method C2 stopped inlining
     * exp (node-count cutoff) and every call boxed its vectors (~20x slower).
     */
    static void softmax(float[] p, float[] st, int j0, int bk, int rp, boolean masked) {
        tileMax(p, st, j0, bk, rp, masked);
        rescaleFactors(st, rp);
        expSum(p, st, bk, rp);
    }

    /** Masks invisible keys to -inf, then m_new = max(m, tile max) into st[4], lane-wise. */
    private static void tileMax(float[] p, float[] st, int j0, int bk, int rp, boolean masked) {
        for (int off = 0; off < rp; off += VL) {
            FloatVector limit = FloatVector.fromArray(S, st, 2 * rp + off);
            FloatVector max = FloatVector.fromArray(S, st, off);
            for (int j = 0; j < bk; j++) {
                FloatVector x = FloatVector.fromArray(S, p, j * rp + off);
                if (masked) {
                    x = x.blend(Float.NEGATIVE_INFINITY, limit.compare(VectorOperators.LE, (float) (j0 + j)));
                    x.intoArray(p, j * rp + off);
                }
                max = max.max(x);
            }
            max.intoArray(st, 4 * rp + off);
        }
    }

    /** corr = exp(m_old - m_new) into st[3]; m = m_new, with 0 for rows that saw no key yet (exp gives 0, not NaN). */
    private static void rescaleFactors(float[] st, int rp) {
        for (int off = 0; off < rp; off += VL) {
            FloatVector mNew = FloatVector.fromArray(S, st, 4 * rp + off);
            FloatVector shift = mNew.blend(0f, mNew.compare(VectorOperators.EQ, Float.NEGATIVE_INFINITY));
            VectorExp.exp(FloatVector.fromArray(S, st, off).sub(shift)).intoArray(st, 3 * rp + off);
            mNew.intoArray(st, off);
            shift.intoArray(st, 4 * rp + off);
        }
    }

    /** p = exp(p - shift) (p ≤ shift, or −∞), l = l·corr + Σ_j p (keys ascending). */
    private static void expSum(float[] p, float[] st, int bk, int rp) {
        for (int off = 0; off < rp; off += VL) {
            FloatVector shift = FloatVector.fromArray(S, st, 4 * rp + off);
            FloatVector sum = FloatVector.zero(S);
            for (int j = 0; j < bk; j++) {
                FloatVector e = NonPositiveExp.exp(FloatVector.fromArray(S, p, j * rp + off).sub(shift));
                e.intoArray(p, j * rp + off);
                sum = sum.add(e);
            }
            FloatVector.fromArray(S, st, rp + off).mul(FloatVector.fromArray(S, st, 3 * rp + off)).add(sum)
                    .intoArray(st, rp + off);
        }
    }

    /** o[r] *= corr[r] where the running max moved. */
    static void rescale(float[] o, float[] st, int rp, int hd) {
        int dv = hd / VL * VL;
        for (int r = 0; r < rp; r++) {
            float c = st[3 * rp + r];
            if (c == 1f) {
                continue;
            }
            int d = 0;
            for (; d < dv; d += VL) {
                FloatVector.fromArray(S, o, r * hd + d).mul(c).intoArray(o, r * hd + d);
            }
            for (; d < hd; d++) {
                o[r * hd + d] *= c;
            }
        }
    }

    private static void finish(AttentionShape s, float[] out, float[] lse, float[] o, float[] st,
                               int g, int t0, int rows, int rp, boolean lanesOut) {
        int hd = s.headDim();
        int gs = s.groupSize();
        for (int r = 0; r < rows; r++) {
            int row = (t0 + r / gs) * s.heads() + g * gs + r % gs;
            float l = st[rp + r];
            float inv = l > 0f ? 1f / l : 0f;
            for (int d = 0; d < hd; d++) {
                out[row * hd + d] = (lanesOut ? o[d * rp + r] : o[r * hd + d]) * inv;
            }
            lse[row] = l > 0f ? (float) (st[r] + Math.log(l)) : Float.NEGATIVE_INFINITY;
        }
    }
}
