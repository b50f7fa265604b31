package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two products of {@link JavaAttention} for blocks of at most {@link #MAX_ROWS} rows (decode:
 * one to three tokens times the GQA group), where putting queries in vector lanes would leave most
 * lanes idle. Here the head dimension is in the lanes; the dot products are summed lane by lane in a
 * fixed scalar order (no {@code reduceLanes}, whose order the API leaves unspecified), so results do
 * not depend on the JIT tier. Same buffers and layouts as {@link AttentionScores}, plus
 * {@code qs: [rows][headDim]} (queries pre-scaled, rows contiguous) and {@code lanes: [VL]}.
 */
final class FewRowsAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    static final int MAX_ROWS = 4;

    private FewRowsAttention() {
    }

    static boolean applies(int rows, int headDim) {
        return rows <= MAX_ROWS && headDim % VL == 0;
    }

    /** p[j][r] = Σ_d k[j0 + j][g][d] · qs[r][d] for r &lt; rows; 0 for the padded lanes r in [rows, rp). */
    static void scores(float[] qs, float[] k, float[] p, AttentionShape s, int g, int j0, int bk, int rp, int rows,
                       float[] lanes) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int kBase = (j0 * s.kvHeads() + g) * hd;
        FloatVector zero = FloatVector.zero(S);
        for (int j = 0; j < bk; j++) {
            int kb = kBase + j * stride;
            for (int off = 0; off < rp; off += VL) {
                zero.intoArray(p, j * rp + off);
            }
            for (int r = 0; r < rows; r++) {
                FloatVector acc = FloatVector.zero(S);
                for (int d = 0; d < hd; d += VL) {
                    acc = FloatVector.fromArray(S, qs, r * hd + d).fma(FloatVector.fromArray(S, k, kb + d), acc);
                }
                acc.intoArray(lanes, 0);
                p[j * rp + r] = sumLanes(lanes);
            }
        }
    }

    /** Lanes summed pairwise in a fixed order. */
    static float sumLanes(float[] a) {
        float s0 = 0f;
        float s1 = 0f;
        for (int i = 0; i < VL; i += 2) {
            s0 += a[i];
            s1 += a[i + 1];
        }
        return s0 + s1;
    }

    /** o[r][d] += Σ_j p[j][r] · v[j0 + j][g][d] for r &lt; rows, keys ascending, 4 value vectors at a time. */
    static void accumulate(float[] p, float[] v, float[] o, AttentionShape s, int g, int j0, int bk, int rp, int rows) {
        int hd = s.headDim();
        int stride = s.kvHeads() * hd;
        int vBase = (j0 * s.kvHeads() + g) * hd;
        for (int r = 0; r < rows; r++) {
            int d = 0;
            for (; d + 4 * VL <= hd; d += 4 * VL) {
                int ob = r * hd + d;
                FloatVector a0 = FloatVector.fromArray(S, o, ob), a1 = FloatVector.fromArray(S, o, ob + VL);
                FloatVector a2 = FloatVector.fromArray(S, o, ob + 2 * VL), a3 = FloatVector.fromArray(S, o, ob + 3 * VL);
                for (int j = 0; j < bk; j++) {
                    int vb = vBase + j * stride + d;
                    FloatVector x = FloatVector.broadcast(S, p[j * rp + r]);
                    a0 = x.fma(FloatVector.fromArray(S, v, vb), a0);
                    a1 = x.fma(FloatVector.fromArray(S, v, vb + VL), a1);
                    a2 = x.fma(FloatVector.fromArray(S, v, vb + 2 * VL), a2);
                    a3 = x.fma(FloatVector.fromArray(S, v, vb + 3 * VL), a3);
                }
                a0.intoArray(o, ob);
                a1.intoArray(o, ob + VL);
                a2.intoArray(o, ob + 2 * VL);
                a3.intoArray(o, ob + 3 * VL);
            }
            for (; d < hd; d += VL) {
                FloatVector acc = FloatVector.fromArray(S, o, r * hd + d);
                for (int j = 0; j < bk; j++) {
                    acc = FloatVector.broadcast(S, p[j * rp + r]).fma(FloatVector.fromArray(S, v, vBase + j * stride + d), acc);
                }
                acc.intoArray(o, r * hd + d);
            }
        }
    }
}
