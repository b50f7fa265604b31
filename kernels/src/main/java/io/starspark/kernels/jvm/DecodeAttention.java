package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query token (decode) split along the keys: fixed chunks of {@link #CHUNK} keys, each
 * computed for every head at once, then merged by log-sum-exp in chunk order. {@link JavaAttention}'s
 * per-KV-head tasks read each key row {@code [kvHeads][headDim]} one head slice at a time, a stride of
 * {@code kvHeads·headDim} floats that defeats the hardware prefetcher; here a task streams its K and V rows
 * front to back. The chunks do not depend on the thread count and every sum runs in a fixed order (lanes
 * summed by {@link FewRowsAttention#sumLanes}, no {@code reduceLanes}), so the bits are the same on any
 * pool and JIT tier.
 *
 * <pre>
 * qs:      [heads][headDim]                queries times 1/sqrt(headDim)
 * partial: [chunks][heads][headDim + 2]    o (unnormalized), then m (max score), l (Σ exp(score − m))
 * p:       [heads][CHUNK]                  a chunk's scores, then exp(score − m)
 * </pre>
 */
final class DecodeAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int VL = S.length();
    /** Keys per chunk; a multiple of the lane count. */
    static final int CHUNK = 256;

    private DecodeAttention() {
    }

    static boolean applies(AttentionShape s) {
        return s.tokens() == 1 && s.headDim() % VL == 0;
    }

    static void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                          Parallel par, ThreadLocal<Scratch> scratch) {
        s.check(q, k, v, out, lse);
        int heads = s.heads();
        int hd = s.headDim();
        int n = s.visibleKeys(0);
        if (n == 0) {
            Arrays.fill(out, 0, heads * hd, 0f);
            Arrays.fill(lse, 0, heads, Float.NEGATIVE_INFINITY);
            return;
        }
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] qs = new float[heads * hd];
        for (int i = 0; i < qs.length; i++) {
            qs[i] = q[i] * scale;
        }
        int chunks = (n + CHUNK - 1) / CHUNK;
        int stride = hd + 2;
        float[] partial = new float[chunks * heads * stride];
        long flops = 4L * heads * hd * n;
        par.forRange(chunks, flops < Parallel.MIN_PARALLEL_FLOPS ? 1 : chunks, (c0, c1) -> {
            Scratch sc = scratch.get();
            for (int c = c0; c < c1; c++) {
                int j0 = c * CHUNK;
                chunk(s, qs, k, v, j0, Math.min(n, j0 + CHUNK), partial, c * heads * stride, sc);
            }
        });
        merge(partial, chunks, heads, hd, out, lse);
    }

    /** Keys [j0, j1) for every head into partial[at..]. */
    private static void chunk(AttentionShape s, float[] qs, float[] k, float[] v, int j0, int j1,
                              float[] partial, int at, Scratch sc) {
        int heads = s.heads();
        int hd = s.headDim();
        int gs = s.groupSize();
        int row = s.kvHeads() * hd;
        int stride = hd + 2;
        float[] p = sc.c(heads * CHUNK);
        float[] lanes = sc.lanes;
        // scores, key rows front to back
        for (int j = j0; j < j1; j++) {
            int kb = j * row;
            for (int h = 0; h < heads; h++) {
                int kh = kb + (h / gs) * hd;
                FloatVector acc = FloatVector.zero(S);
                for (int d = 0; d < hd; d += VL) {
                    acc = FloatVector.fromArray(S, qs, h * hd + d).fma(FloatVector.fromArray(S, k, kh + d), acc);
                }
                acc.intoArray(lanes, 0);
                p[h * CHUNK + j - j0] = FewRowsAttention.sumLanes(lanes);
            }
        }
        int len = j1 - j0;
        int padded = (len + VL - 1) / VL * VL;
        for (int h = 0; h < heads; h++) {
            int pb = h * CHUNK;
            for (int j = len; j < padded; j++) {
                p[pb + j] = Float.NEGATIVE_INFINITY;
            }
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < padded; j += VL) {
                max = max.max(FloatVector.fromArray(S, p, pb + j));
            }
            max.intoArray(lanes, 0);
            float m = Float.NEGATIVE_INFINITY;
            for (float x : lanes) {
                m = Math.max(m, x);
            }
            FloatVector sum = FloatVector.zero(S);
            for (int j = 0; j < padded; j += VL) {
                FloatVector e = NonPositiveExp.exp(FloatVector.fromArray(S, p, pb + j).sub(m));
                e.intoArray(p, pb + j);
                sum = sum.add(e);
            }
            sum.intoArray(lanes, 0);
            int o = at + h * stride;
            Arrays.fill(partial, o, o + hd, 0f);
            partial[o + hd] = m;
            partial[o + hd + 1] = FewRowsAttention.sumLanes(lanes);
        }
        // o[h] += p[h][j] · v[j][h / gs], value rows front to back
        for (int j = j0; j < j1; j++) {
            int vb = j * row;
            for (int h = 0; h < heads; h++) {
                int vh = vb + (h / gs) * hd;
                int o = at + h * stride;
                FloatVector x = FloatVector.broadcast(S, p[h * CHUNK + j - j0]);
                for (int d = 0; d < hd; d += VL) {
                    x.fma(FloatVector.fromArray(S, v, vh + d), FloatVector.fromArray(S, partial, o + d))
                            .intoArray(partial, o + d);
                }
            }
        }
    }

    /** Chunks combined in order: M = max m_c, L = Σ l_c·e^(m_c − M), out = Σ o_c·e^(m_c − M) / L, lse = M + ln L. */
    private static void merge(float[] partial, int chunks, int heads, int hd, float[] out, float[] lse) {
        int stride = hd + 2;
        for (int h = 0; h < heads; h++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < chunks; c++) {
                m = Math.max(m, partial[(c * heads + h) * stride + hd]);
            }
            float l = 0f;
            Arrays.fill(out, h * hd, (h + 1) * hd, 0f);
            for (int c = 0; c < chunks; c++) {
                int o = (c * heads + h) * stride;
                float w = VectorExp.exp(partial[o + hd] - m);
                FloatVector wv = FloatVector.broadcast(S, w);
                l += partial[o + hd + 1] * w;
                for (int d = 0; d < hd; d += VL) {
                    FloatVector.fromArray(S, partial, o + d).fma(wv, FloatVector.fromArray(S, out, h * hd + d))
                            .intoArray(out, h * hd + d);
                }
            }
            float inv = 1f / l;
            for (int d = 0; d < hd; d += VL) {
                FloatVector.fromArray(S, out, h * hd + d).mul(inv).intoArray(out, h * hd + d);
            }
            lse[h] = (float) (m + Math.log(l));
        }
    }
}
