package io.starspark.kernels.jvm;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Half;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query token (decode) split along the keys: fixed chunks of {@link #CHUNK} keys, each
 * computed for every head at once, then merged by log-sum-exp in chunk order. {@link JavaAttention}'s
 * per-KV-head tasks read each key row {@code [kvHeads][headDim]} one head slice at a time, a stride of
 * {@code kvHeads·headDim} floats that defeats the hardware prefetcher; here a task streams its K and V rows
 * front to back. The chunks do not depend on the thread count and every sum runs in a fixed order (no
 * {@code reduceLanes}), so the bits are the same on any pool and JIT tier.
 * <p>
 * Scores: with 16 lanes, 16 keys per pass ({@link #scores16}: one fma chain per key over the head dimension, then
 * the 16 chains' lanes summed by one transposing tree of blends and lane swaps, its first two levels in registers
 * per four keys, {@link #tree}); otherwise one key at a time, lanes summed by {@link FewRowsAttention#sumLanes}.
 * A store and 16 scalar adds per (key, head), as before, cost ~80 cycles each, so 1b decode attention at context
 * 2048 took 57 ms per token for 134 MB of K/V.
 * P·V: blocks of 16 value rows, per head and VL output lanes one register accumulator over the block's rows.
 * Grouped-query attention: {@link #GROUP} query heads that share a K/V head run together ({@link #scoresGroup},
 * {@link #pvGroup} and their halves twins), each K/V vector loaded (or widened) once for the four; every head keeps
 * its own FMA chains, so its bits are those of the one-head kernels. Each block of K or V rows is read ahead one
 * block early ({@link #readAhead}): the head slices are read at the stride of a whole row, which the hardware
 * prefetchers do not follow. 1b shape, context 2048, 2 threads ({@code AttentionBench decode 2048 2 60}): F32
 * 12.7–13.1 → 8.2–8.7 ms per step, F16 13.3–15.5 → 6.8–8.8; with the tree's first levels in registers
 * (session 14, {@code ... decode 2048 2 60 32 8 16 both}, alternating with the parent) F32 7.0–8.3 → 6.4–7.7, F16
 * 6.2–6.9 → 5.5–5.7.
 *
 * <pre>
 * qs:      [heads][headDim]                queries times 1/sqrt(headDim)
 * partial: [chunks][heads][headDim + 2]    o (unnormalized), then m (max score), l (Σ exp(score − m))
 * p:       [heads][CHUNK]                  a chunk's scores, then exp(score − m)
 * </pre>
 */
final class DecodeAttention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> H16 = ShortVector.SPECIES_256;
    private static final int VL = S.length();
    /**
     * Query heads read together from one K/V head slice ({@link #scoresGroup}, {@link #pvGroup}): grouped-query
     * attention's heads of a group share their keys and values, so each K and V vector is loaded once per
     * {@code GROUP} heads instead of once per head (1b shape: 32 heads on 8 K/V heads).
     */
    static final int GROUP = 4;
    /** Keys per chunk; a multiple of the lane count. */
    static final int CHUNK = 256;
    /** Value rows per pass of the P·V product (all heads), a multiple of the lane count. */
    private static final int BLOCK = 16;
    /** Scores 16 keys at a time through {@link #scores16} (16 float lanes: AVX-512); else one key at a time. */
    private static final boolean TREE = VL == 16;
    private static final VectorMask<Float> H8 = high(8), H4 = high(4), H2 = high(2), H1 = high(1);
    private static final VectorShuffle<Float> X8 = swap(8), X4 = swap(4), X2 = swap(2), X1 = swap(1);
    /** Lane i takes lane bitReverse4(i) ({@link #tree}: the keys of a block back in lane order). */
    private static final VectorShuffle<Float> REVERSE = VectorShuffle.fromOp(S, i -> (Integer.reverse(i) >>> 28) % VL);

    private DecodeAttention() {
    }

    private static VectorMask<Float> high(int w) {
        boolean[] m = new boolean[VL];
        for (int i = 0; i < VL; i++) {
            m[i] = (i & w) != 0;
        }
        return VectorMask.fromArray(S, m, 0);
    }

    private static VectorShuffle<Float> swap(int w) {
        return VectorShuffle.fromOp(S, i -> (i ^ w) % VL);
    }

    static boolean applies(AttentionShape s) {
        return s.tokens() == 1 && s.headDim() % VL == 0;
    }

    /** {@link #attention} of halves: 16 float lanes, where {@link Half#toFloats} widens a block's rows. */
    static boolean appliesHalves(AttentionShape s) {
        return TREE && applies(s);
    }

    static void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse,
                          Parallel par, ThreadLocal<Scratch> scratch) {
        s.check(q, k, v, out, lse);
        attention(s, q, k, v, null, null, out, lse, par, scratch);
    }

    /**
     * Keys and values held as halves ({@link #appliesHalves}), with the bits of {@link #attention} on their float
     * values while the step streams half the bytes: read in registers ({@link #scoresHalf}, {@link #pvHalf}) when the
     * head dimension is a multiple of 4·VL and the scaled queries stay below 2^16, else (and for a chunk holding an
     * Inf or NaN half) each block widened into a per-thread buffer first ({@link #widen}).
     */
    static void attention(AttentionShape s, float[] q, short[] k, short[] v, float[] out, float[] lse,
                          Parallel par, ThreadLocal<Scratch> scratch) {
        s.check(q, k, v, out, lse);
        attention(s, q, null, null, k, v, out, lse, par, scratch);
    }

    /** Float keys and values in k, v, or halves in hk, hv (the other pair null). */
    private static void attention(AttentionShape s, float[] q, float[] k, float[] v, short[] hk, short[] hv,
                                  float[] out, float[] lse, Parallel par, ThreadLocal<Scratch> scratch) {
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
        float[] qsUp = hk != null && hd % (4 * VL) == 0 ? scaledUp(qs) : null;
        int chunks = (n + CHUNK - 1) / CHUNK;
        int stride = hd + 2;
        float[] partial = new float[chunks * heads * stride];
        long flops = 4L * heads * hd * n;
        par.forRange(chunks, flops < Parallel.MIN_PARALLEL_FLOPS ? 1 : chunks, (c0, c1) -> {
            Scratch sc = scratch.get();
            for (int c = c0; c < c1; c++) {
                int j0 = c * CHUNK;
                chunk(s, qs, qsUp, k, v, hk, hv, j0, Math.min(n, j0 + CHUNK), partial, c * heads * stride, sc);
            }
        });
        merge(partial, chunks, heads, hd, out, lse);
    }

    /**
     * Keys [j0, j1) for every head into partial[at..]; K/V in k, v or, as halves, in hk, hv. With qsUp (the queries
     * times 2^112, {@link #scoresHalf}) whole blocks of halves are read in registers, else widened first; a block
     * found to hold an Inf or NaN after its use sends the whole chunk through the widening path again (which
     * rewrites every output of the chunk: p, then partial from zero).
     */
    private static void chunk(AttentionShape s, float[] qs, float[] qsUp, float[] k, float[] v, short[] hk,
                              short[] hv, int j0, int j1, float[] partial, int at, Scratch sc) {
        int heads = s.heads();
        int hd = s.headDim();
        int gs = s.groupSize();
        int row = s.kvHeads() * hd;
        int stride = hd + 2;
        int len = j1 - j0;
        float[] p = sc.c(heads * CHUNK);
        float[] lanes = sc.lanes;
        if (TREE) {
            float[] t = sc.b(GROUP * 4 * VL);
            // scores of VL keys at a time, key rows front to back; a short last block from a zero-padded copy
            for (int jb = j0; jb < j1; jb += VL) {
                float[] kb = k;
                int base = jb * row;
                // the next block of keys; during the last, the first block of values
                boolean keysLeft = jb + VL < j1;
                int next = (keysLeft ? jb + VL : j0) * row;
                int end = (keysLeft ? Math.min(j1, jb + 2 * VL) : Math.min(j1, j0 + BLOCK)) * row;
                sc.readAhead ^= k != null ? readAhead(keysLeft ? k : v, next, end)
                        : readAhead(keysLeft ? hk : hv, next, end);
                if (qsUp != null && j1 - jb >= VL) {
                    for (int h = 0; h < heads; ) {
                        if (sharesKv(h, heads, gs)) {
                            scoresHalfGroup(qsUp, h * hd, hk, base + (h / gs) * hd, row, hd, p, h * CHUNK + jb - j0, t);
                            h += GROUP;
                        } else {
                            scoresHalf(qsUp, h * hd, hk, base + (h / gs) * hd, row, hd, p, h * CHUNK + jb - j0, t);
                            h++;
                        }
                    }
                    // checked after use, from the cache: a check before it would stall on memory with little to do
                    if (!finite(hk, base, VL * row)) {
                        chunk(s, qs, null, k, v, hk, hv, j0, j1, partial, at, sc);
                        return;
                    }
                    continue;
                }
                if (hk != null || j1 - jb < VL) {
                    kb = sc.d(VL * row);
                    int m = Math.min(VL, j1 - jb) * row;
                    if (hk != null) {
                        widen(hk, base, kb, m);
                    } else {
                        System.arraycopy(k, base, kb, 0, m);
                    }
                    Arrays.fill(kb, m, VL * row, 0f);
                    base = 0;
                }
                for (int h = 0; h < heads; ) {
                    if (sharesKv(h, heads, gs)) {
                        scoresGroup(qs, h * hd, kb, base + (h / gs) * hd, row, hd, p, h * CHUNK + jb - j0, t);
                        h += GROUP;
                    } else {
                        scores16(qs, h * hd, kb, base + (h / gs) * hd, row, hd, p, h * CHUNK + jb - j0, t);
                        h++;
                    }
                }
            }
        } else {
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
        }
        softmax(p, heads, len, partial, at, stride, hd, lanes);
        // halves read in registers: p times 2^112 (exact: p <= 1), see pvHalf
        float[] pUp = null;
        if (qsUp != null) {
            pUp = sc.a(heads * CHUNK);
            for (int i = 0; i < heads * CHUNK; i += VL) {
                FloatVector.fromArray(S, p, i).mul(Gemv.HALF_REBIAS).intoArray(pUp, i);
            }
        }
        // o[h] += Σ_j p[h][j] · v[j][h / gs], keys ascending, in blocks of BLOCK value rows (front to back)
        for (int jb = j0; jb < j1; jb += BLOCK) {
            int je = Math.min(j1, jb + BLOCK);
            float[] vb = v;
            int base = jb * row;
            int end = Math.min(j1, je + BLOCK) * row;
            sc.readAhead ^= v != null ? readAhead(v, je * row, end) : readAhead(hv, je * row, end);
            if (pUp != null) {
                for (int h = 0; h < heads; ) {
                    if (sharesKv(h, heads, gs)) {
                        pvHalfGroup(pUp, h * CHUNK + jb - j0, hv, base + (h / gs) * hd, row, je - jb, partial,
                                at + h * stride, stride, hd);
                        h += GROUP;
                    } else {
                        pvHalf(pUp, h * CHUNK + jb - j0, hv, base + (h / gs) * hd, row, je - jb, partial,
                                at + h * stride, hd);
                        h++;
                    }
                }
                if (!finite(hv, base, (je - jb) * row)) {
                    chunk(s, qs, null, k, v, hk, hv, j0, j1, partial, at, sc);
                    return;
                }
                continue;
            }
            if (hv != null) {
                vb = sc.d(BLOCK * row);
                widen(hv, base, vb, (je - jb) * row);
                base = 0;
            }
            int h = 0;
            if (hd % (4 * VL) == 0) {
                while (h + 2 <= heads) {
                    if (sharesKv(h, heads, gs)) {
                        pvGroup(p, h * CHUNK + jb - j0, vb, base + (h / gs) * hd, row, je - jb, partial,
                                at + h * stride, stride, hd);
                        h += GROUP;
                    } else {
                        pv2(p, h * CHUNK + jb - j0, vb, base + (h / gs) * hd, base + ((h + 1) / gs) * hd, row,
                                je - jb, partial, at + h * stride, stride, hd);
                        h += 2;
                    }
                }
            }
            for (; h < heads; h++) {
                int vh = base + (h / gs) * hd;
                int pb = h * CHUNK + jb - j0;
                int o = at + h * stride;
                for (int d = 0; d < hd; d += VL) {
                    FloatVector acc = FloatVector.fromArray(S, partial, o + d);
                    for (int j = 0, vo = vh + d; j < je - jb; j++, vo += row) {
                        acc = FloatVector.broadcast(S, p[pb + j]).fma(FloatVector.fromArray(S, vb, vo), acc);
                    }
                    acc.intoArray(partial, o + d);
                }
            }
        }
    }

    /**
     * Each head's scores p[h·CHUNK ..][0, len) into exp(score − m) (padded with zeros to a multiple of VL), and its
     * partial[at + h·stride ..] reset: o = 0, then m (the max score) and l (Σ exp(score − m)). A method of its own,
     * which takes no vector, so that C2 inlines {@link NonPositiveExp#exp} here whatever it decided in the large
     * {@link #chunk}: a helper that takes vectors and is not inlined (past C2's NodeCountInliningCutoff in the caller)
     * takes boxed ones.
     */
    private static void softmax(float[] p, int heads, int len, float[] partial, int at, int stride, int hd,
                                float[] lanes) {
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
    }

    /**
     * The queries times 2^112 for the halves read in registers ({@link #scoresHalf}): exact while every |qs| is below
     * 2^16; else null (the blocks are widened first).
     */
    private static float[] scaledUp(float[] qs) {
        float[] up = new float[qs.length];
        for (int i = 0; i < qs.length; i++) {
            if (!(Math.abs(qs[i]) < 0x1p16f)) {
                return null;
            }
            up[i] = qs[i] * Gemv.HALF_REBIAS;
        }
        return up;
    }

    /** Whether the halves h[at..at + n) are all finite (no exponent 31), n a multiple of 16. */
    private static boolean finite(short[] h, int at, int n) {
        ShortVector big = ShortVector.zero(H16);
        for (int i = 0; i < n; i += VL) {
            big = big.max(ShortVector.fromArray(H16, h, at + i).and((short) 0x7fff));
        }
        return big.reduceLanes(VectorOperators.MAX) < 0x7c00;
    }

    /**
     * The 16 finite halves at h[at..] as floats times 2^-112 ({@link Gemv#halfBits}: the half's bits in float
     * position, exact for normal, subnormal and zero halves). Multiplied by a factor scaled by 2^112, the product is
     * exactly the one of the half's value, so an FMA over them gives the bits of the float code.
     */
    private static FloatVector halfLanes(short[] h, int at) {
        return Gemv.halfBits(h, at).reinterpretAsFloats();
    }

    /**
     * {@link #scores16} of 16 keys held as finite halves, read in registers: qsUp is the queries times 2^112, so
     * each product equals the float one exactly and each key's FMA chain over the head dimension (from zero, in
     * order) gives the same bits; four keys per pass (four widened loads per loop body, as the F16 GEMV: more and C2
     * stops inlining), then the same {@link #tree}. hd a multiple of 4·VL.
     */
    private static void scoresHalf(float[] qsUp, int qo, short[] k, int at, int row, int hd, float[] p, int po,
                                   float[] t) {
        for (int g = 0; g < 16; g += 4) {
            int o = at + g * row;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d += VL) {
                FloatVector x = FloatVector.fromArray(S, qsUp, qo + d);
                a0 = x.fma(halfLanes(k, o + d), a0);
                a1 = x.fma(halfLanes(k, o + row + d), a1);
                a2 = x.fma(halfLanes(k, o + 2 * row + d), a2);
                a3 = x.fma(halfLanes(k, o + 3 * row + d), a3);
            }
            // quad: folds w = 8 of (a0, a1) and (a2, a3), then w = 4 of the two (see tree)
            FloatVector l = a0.blend(a1, H8).add(a1.blend(a0, H8).rearrange(X8));
            FloatVector r = a2.blend(a3, H8).add(a3.blend(a2, H8).rearrange(X8));
            l.blend(r, H4).add(r.blend(l, H4).rearrange(X4)).intoArray(t, g / 4 * VL);
        }
        tree(t, 0, p, po);
    }

    /**
     * One head's {@code o += Σ_j p[j] · v[j]} over n value rows held as finite halves, read in registers: pUp is p
     * times 2^112, so each product equals the float one and every lane sums j in order, as {@link #pv2}. 4·VL lanes
     * per pass (four widened loads per loop body). hd a multiple of 4·VL.
     */
    private static void pvHalf(float[] pUp, int pb, short[] v, int vh, int row, int n, float[] partial, int o, int hd) {
        for (int d = 0; d < hd; d += 4 * VL) {
            FloatVector a0 = FloatVector.fromArray(S, partial, o + d);
            FloatVector a1 = FloatVector.fromArray(S, partial, o + d + VL);
            FloatVector a2 = FloatVector.fromArray(S, partial, o + d + 2 * VL);
            FloatVector a3 = FloatVector.fromArray(S, partial, o + d + 3 * VL);
            for (int j = 0, x = vh + d; j < n; j++, x += row) {
                FloatVector pj = FloatVector.broadcast(S, pUp[pb + j]);
                a0 = pj.fma(halfLanes(v, x), a0);
                a1 = pj.fma(halfLanes(v, x + VL), a1);
                a2 = pj.fma(halfLanes(v, x + 2 * VL), a2);
                a3 = pj.fma(halfLanes(v, x + 3 * VL), a3);
            }
            a0.intoArray(partial, o + d);
            a1.intoArray(partial, o + d + VL);
            a2.intoArray(partial, o + d + 2 * VL);
            a3.intoArray(partial, o + d + 3 * VL);
        }
    }

    /**
     * dst[0..n) = the halves h[at..at + n) as floats, n a multiple of 16 (a whole number of rows): through
     * {@link Gemv#halfBits} (3 operations and the rebiasing multiply: exact for every finite half), and again through
     * {@link Half#toFloats} (8 operations, exact for all) when the block holds an Inf or NaN.
     */
    private static void widen(short[] h, int at, float[] dst, int n) {
        IntVector big = IntVector.zero(IntVector.SPECIES_512);
        for (int i = 0; i < n; i += VL) {
            IntVector bits = Gemv.halfBits(h, at + i);
            big = big.max(bits.lanewise(VectorOperators.LSHL, 1));
            bits.reinterpretAsFloats().mul(Gemv.HALF_REBIAS).intoArray(dst, i);
        }
        if (big.reduceLanes(VectorOperators.MAX) >= Gemv.HALF_SPECIAL) {
            for (int i = 0; i < n; i += VL) {
                Half.toFloats(h, at + i).intoArray(dst, i);
            }
        }
    }

    /**
     * Two heads' {@code o += Σ_j p[j] · v[j]} over n value rows (the first head's p at pb, its value rows at va, the
     * second's p at pb + CHUNK and rows at vb; o at o and o + stride), 4·VL output lanes per pass: eight
     * independent FMA chains instead of one, each still summing j in order (the same bits as one lane chunk at a
     * time). hd a multiple of 4·VL.
     */
    private static void pv2(float[] p, int pb, float[] v, int va, int vb, int row, int n, float[] partial, int o,
                            int stride, int hd) {
        int o2 = o + stride;
        for (int d = 0; d < hd; d += 4 * VL) {
            FloatVector a0 = FloatVector.fromArray(S, partial, o + d);
            FloatVector a1 = FloatVector.fromArray(S, partial, o + d + VL);
            FloatVector a2 = FloatVector.fromArray(S, partial, o + d + 2 * VL);
            FloatVector a3 = FloatVector.fromArray(S, partial, o + d + 3 * VL);
            FloatVector b0 = FloatVector.fromArray(S, partial, o2 + d);
            FloatVector b1 = FloatVector.fromArray(S, partial, o2 + d + VL);
            FloatVector b2 = FloatVector.fromArray(S, partial, o2 + d + 2 * VL);
            FloatVector b3 = FloatVector.fromArray(S, partial, o2 + d + 3 * VL);
            for (int j = 0, x = va + d, y = vb + d; j < n; j++, x += row, y += row) {
                FloatVector pa = FloatVector.broadcast(S, p[pb + j]);
                FloatVector pb2 = FloatVector.broadcast(S, p[pb + CHUNK + j]);
                a0 = pa.fma(FloatVector.fromArray(S, v, x), a0);
                a1 = pa.fma(FloatVector.fromArray(S, v, x + VL), a1);
                a2 = pa.fma(FloatVector.fromArray(S, v, x + 2 * VL), a2);
                a3 = pa.fma(FloatVector.fromArray(S, v, x + 3 * VL), a3);
                b0 = pb2.fma(FloatVector.fromArray(S, v, y), b0);
                b1 = pb2.fma(FloatVector.fromArray(S, v, y + VL), b1);
                b2 = pb2.fma(FloatVector.fromArray(S, v, y + 2 * VL), b2);
                b3 = pb2.fma(FloatVector.fromArray(S, v, y + 3 * VL), b3);
            }
            a0.intoArray(partial, o + d);
            a1.intoArray(partial, o + d + VL);
            a2.intoArray(partial, o + d + 2 * VL);
            a3.intoArray(partial, o + d + 3 * VL);
            b0.intoArray(partial, o2 + d);
            b1.intoArray(partial, o2 + d + VL);
            b2.intoArray(partial, o2 + d + 2 * VL);
            b3.intoArray(partial, o2 + d + 3 * VL);
        }
    }

    /**
     * Reads one float per 64-byte line of a[from..to) and returns their bits XORed: the next block's key or value
     * rows are read ahead while the current block's FMAs run. A block's head slices are read row by row at a stride
     * of a whole K/V row, which the hardware prefetchers do not follow; these loads ask for every line of the next
     * block at once. The result goes to {@link Scratch#readAhead} so the JIT keeps the loads. 1b shape, context 2048,
     * {@code AttentionBench decode 2048 2 60}: best 10.2 → 8.2–8.7 ms per step.
     */
    static int readAhead(float[] a, int from, int to) {
        int x = 0;
        for (int i = from; i < to; i += 16) {
            x ^= Float.floatToRawIntBits(a[i]);
        }
        return x;
    }

    /** {@link #readAhead} of halves: one per 64-byte line. */
    static int readAhead(short[] a, int from, int to) {
        int x = 0;
        for (int i = from; i < to; i += 32) {
            x ^= a[i];
        }
        return x;
    }

    /**
     * {@link #scoresGroup} of keys held as finite halves ({@link #scoresHalf}: qsUp is the queries times 2^112): each
     * 16-lane block of halves widened once for the four heads. Each head gets the bits {@link #scoresHalf} gives it.
     */
    private static void scoresHalfGroup(float[] qsUp, int qo, short[] k, int at, int row, int hd, float[] p, int po,
                                        float[] t) {
        for (int g = 0; g < 16; g += 4) {
            quadsHalfGroup(qsUp, qo, k, at + g * row, row, hd, t, g / 4 * VL);
        }
        for (int i = 0; i < GROUP; i++) {
            tree(t, i * 4 * VL, p, po + i * CHUNK);
        }
    }

    /**
     * {@link #quadsGroup} of four keys held as finite halves at k[o..], k[o + row..], ... (qsUp: the queries times
     * 2^112).
     */
    private static void quadsHalfGroup(float[] qsUp, int qo, short[] k, int o, int row, int hd, float[] t, int at) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int d = 0; d < hd; d += VL) {
            FloatVector k0 = halfLanes(k, o + d);
            FloatVector k1 = halfLanes(k, o + row + d);
            FloatVector k2 = halfLanes(k, o + 2 * row + d);
            FloatVector k3 = halfLanes(k, o + 3 * row + d);
            FloatVector x = FloatVector.fromArray(S, qsUp, qo + d);
            a00 = x.fma(k0, a00);
            a01 = x.fma(k1, a01);
            a02 = x.fma(k2, a02);
            a03 = x.fma(k3, a03);
            x = FloatVector.fromArray(S, qsUp, qo + hd + d);
            a10 = x.fma(k0, a10);
            a11 = x.fma(k1, a11);
            a12 = x.fma(k2, a12);
            a13 = x.fma(k3, a13);
            x = FloatVector.fromArray(S, qsUp, qo + 2 * hd + d);
            a20 = x.fma(k0, a20);
            a21 = x.fma(k1, a21);
            a22 = x.fma(k2, a22);
            a23 = x.fma(k3, a23);
            x = FloatVector.fromArray(S, qsUp, qo + 3 * hd + d);
            a30 = x.fma(k0, a30);
            a31 = x.fma(k1, a31);
            a32 = x.fma(k2, a32);
            a33 = x.fma(k3, a33);
        }
        int tv = 4 * VL;
        // each head's quad: folds w = 8 of (a_0, a_1) and (a_2, a_3), then w = 4 of the two (see tree)
        FloatVector l0 = a00.blend(a01, H8).add(a01.blend(a00, H8).rearrange(X8));
        FloatVector r0 = a02.blend(a03, H8).add(a03.blend(a02, H8).rearrange(X8));
        l0.blend(r0, H4).add(r0.blend(l0, H4).rearrange(X4)).intoArray(t, at);
        FloatVector l1 = a10.blend(a11, H8).add(a11.blend(a10, H8).rearrange(X8));
        FloatVector r1 = a12.blend(a13, H8).add(a13.blend(a12, H8).rearrange(X8));
        l1.blend(r1, H4).add(r1.blend(l1, H4).rearrange(X4)).intoArray(t, tv + at);
        FloatVector l2 = a20.blend(a21, H8).add(a21.blend(a20, H8).rearrange(X8));
        FloatVector r2 = a22.blend(a23, H8).add(a23.blend(a22, H8).rearrange(X8));
        l2.blend(r2, H4).add(r2.blend(l2, H4).rearrange(X4)).intoArray(t, 2 * tv + at);
        FloatVector l3 = a30.blend(a31, H8).add(a31.blend(a30, H8).rearrange(X8));
        FloatVector r3 = a32.blend(a33, H8).add(a33.blend(a32, H8).rearrange(X8));
        l3.blend(r3, H4).add(r3.blend(l3, H4).rearrange(X4)).intoArray(t, 3 * tv + at);
    }

    /**
     * {@link #pvGroup} of value rows held as finite halves ({@link #pvHalf}: pUp is p times 2^112): each 16-lane
     * block widened once for the four heads; each head gets the bits {@link #pvHalf} gives it.
     */
    private static void pvHalfGroup(float[] pUp, int pb, short[] v, int vh, int row, int n, float[] partial, int o,
                                    int stride, int hd) {
        for (int d = 0; d < hd; d += 2 * VL) {
            int e = d + VL;
            FloatVector a0 = FloatVector.fromArray(S, partial, o + d);
            FloatVector a1 = FloatVector.fromArray(S, partial, o + stride + d);
            FloatVector a2 = FloatVector.fromArray(S, partial, o + 2 * stride + d);
            FloatVector a3 = FloatVector.fromArray(S, partial, o + 3 * stride + d);
            FloatVector b0 = FloatVector.fromArray(S, partial, o + e);
            FloatVector b1 = FloatVector.fromArray(S, partial, o + stride + e);
            FloatVector b2 = FloatVector.fromArray(S, partial, o + 2 * stride + e);
            FloatVector b3 = FloatVector.fromArray(S, partial, o + 3 * stride + e);
            for (int j = 0, x = vh + d; j < n; j++, x += row) {
                FloatVector v0 = halfLanes(v, x);
                FloatVector v1 = halfLanes(v, x + VL);
                FloatVector p0 = FloatVector.broadcast(S, pUp[pb + j]);
                FloatVector p1 = FloatVector.broadcast(S, pUp[pb + CHUNK + j]);
                FloatVector p2 = FloatVector.broadcast(S, pUp[pb + 2 * CHUNK + j]);
                FloatVector p3 = FloatVector.broadcast(S, pUp[pb + 3 * CHUNK + j]);
                a0 = p0.fma(v0, a0);
                a1 = p1.fma(v0, a1);
                a2 = p2.fma(v0, a2);
                a3 = p3.fma(v0, a3);
                b0 = p0.fma(v1, b0);
                b1 = p1.fma(v1, b1);
                b2 = p2.fma(v1, b2);
                b3 = p3.fma(v1, b3);
            }
            a0.intoArray(partial, o + d);
            a1.intoArray(partial, o + stride + d);
            a2.intoArray(partial, o + 2 * stride + d);
            a3.intoArray(partial, o + 3 * stride + d);
            b0.intoArray(partial, o + e);
            b1.intoArray(partial, o + stride + e);
            b2.intoArray(partial, o + 2 * stride + e);
            b3.intoArray(partial, o + 3 * stride + e);
        }
    }

    /** Whether heads [h, h + GROUP) exist and read one K/V head (group size gs). */
    private static boolean sharesKv(int h, int heads, int gs) {
        return h + GROUP <= heads && h / gs == (h + GROUP - 1) / gs;
    }

    /**
     * {@link #scores16} of the {@link #GROUP} heads at qs[qo..] (head i at qo + i·hd, its scores at po + i·CHUNK)
     * that share the key slice at k[at..]: four keys × four heads per pass (quadsGroup), every K vector
     * loaded once for the four heads. Each (head, key) is the same FMA chain over the head dimension, from zero, in
     * order, and the same quad and {@link #tree} (head i's through t[i·4·VL..]), so a head's scores have the
     * bits {@link #scores16} gives it.
     */
    private static void scoresGroup(float[] qs, int qo, float[] k, int at, int row, int hd, float[] p, int po,
                                    float[] t) {
        for (int g = 0; g < 16; g += 4) {
            quadsGroup(qs, qo, k, at + g * row, row, hd, t, g / 4 * VL);
        }
        for (int i = 0; i < GROUP; i++) {
            tree(t, i * 4 * VL, p, po + i * CHUNK);
        }
    }

    /**
     * The four keys at k[o..], k[o + row..], ... against the {@link #GROUP} heads at qs[qo..]: 16 FMA chains over
     * the head dimension, then each head's four folded into one quad ({@link #tree}), head i's stored at
     * t[i·4·VL + at]. A method of its own that no vector crosses (larger than C2 inlines), so the block's loop and
     * {@link #chunk} stay below C2's NodeCountInliningCutoff: with the quads folded by helper methods in the block's
     * loop, the helpers were not inlined and took boxed vectors (1b shape in L2, {@code AttentionBench decode 256 1
     * 2000 32 8 1}: 8.0 → 21 ns per head and key, 1.6 MB allocated per step).
     */
    private static void quadsGroup(float[] qs, int qo, float[] k, int o, int row, int hd, float[] t, int at) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int d = 0; d < hd; d += VL) {
            FloatVector k0 = FloatVector.fromArray(S, k, o + d);
            FloatVector k1 = FloatVector.fromArray(S, k, o + row + d);
            FloatVector k2 = FloatVector.fromArray(S, k, o + 2 * row + d);
            FloatVector k3 = FloatVector.fromArray(S, k, o + 3 * row + d);
            FloatVector x = FloatVector.fromArray(S, qs, qo + d);
            a00 = x.fma(k0, a00);
            a01 = x.fma(k1, a01);
            a02 = x.fma(k2, a02);
            a03 = x.fma(k3, a03);
            x = FloatVector.fromArray(S, qs, qo + hd + d);
            a10 = x.fma(k0, a10);
            a11 = x.fma(k1, a11);
            a12 = x.fma(k2, a12);
            a13 = x.fma(k3, a13);
            x = FloatVector.fromArray(S, qs, qo + 2 * hd + d);
            a20 = x.fma(k0, a20);
            a21 = x.fma(k1, a21);
            a22 = x.fma(k2, a22);
            a23 = x.fma(k3, a23);
            x = FloatVector.fromArray(S, qs, qo + 3 * hd + d);
            a30 = x.fma(k0, a30);
            a31 = x.fma(k1, a31);
            a32 = x.fma(k2, a32);
            a33 = x.fma(k3, a33);
        }
        int tv = 4 * VL;
        // each head's quad: folds w = 8 of (a_0, a_1) and (a_2, a_3), then w = 4 of the two (see tree)
        FloatVector l0 = a00.blend(a01, H8).add(a01.blend(a00, H8).rearrange(X8));
        FloatVector r0 = a02.blend(a03, H8).add(a03.blend(a02, H8).rearrange(X8));
        l0.blend(r0, H4).add(r0.blend(l0, H4).rearrange(X4)).intoArray(t, at);
        FloatVector l1 = a10.blend(a11, H8).add(a11.blend(a10, H8).rearrange(X8));
        FloatVector r1 = a12.blend(a13, H8).add(a13.blend(a12, H8).rearrange(X8));
        l1.blend(r1, H4).add(r1.blend(l1, H4).rearrange(X4)).intoArray(t, tv + at);
        FloatVector l2 = a20.blend(a21, H8).add(a21.blend(a20, H8).rearrange(X8));
        FloatVector r2 = a22.blend(a23, H8).add(a23.blend(a22, H8).rearrange(X8));
        l2.blend(r2, H4).add(r2.blend(l2, H4).rearrange(X4)).intoArray(t, 2 * tv + at);
        FloatVector l3 = a30.blend(a31, H8).add(a31.blend(a30, H8).rearrange(X8));
        FloatVector r3 = a32.blend(a33, H8).add(a33.blend(a32, H8).rearrange(X8));
        l3.blend(r3, H4).add(r3.blend(l3, H4).rearrange(X4)).intoArray(t, 3 * tv + at);
    }

    /**
     * {@link #pv2} for the {@link #GROUP} heads that share the value slice at v[vh..] (head i's p at pb + i·CHUNK, its
     * o at o + i·stride): four heads × VL output lanes per pass, each V vector loaded once for the four heads; every
     * lane still sums j in order from o, so each head gets the bits of {@link #pv2}. hd a multiple of VL.
     */
    private static void pvGroup(float[] p, int pb, float[] v, int vh, int row, int n, float[] partial, int o,
                                int stride, int hd) {
        for (int d = 0; d < hd; d += 2 * VL) {
            int e = d + VL;
            FloatVector a0 = FloatVector.fromArray(S, partial, o + d);
            FloatVector a1 = FloatVector.fromArray(S, partial, o + stride + d);
            FloatVector a2 = FloatVector.fromArray(S, partial, o + 2 * stride + d);
            FloatVector a3 = FloatVector.fromArray(S, partial, o + 3 * stride + d);
            FloatVector b0 = FloatVector.fromArray(S, partial, o + e);
            FloatVector b1 = FloatVector.fromArray(S, partial, o + stride + e);
            FloatVector b2 = FloatVector.fromArray(S, partial, o + 2 * stride + e);
            FloatVector b3 = FloatVector.fromArray(S, partial, o + 3 * stride + e);
            for (int j = 0, x = vh + d; j < n; j++, x += row) {
                FloatVector v0 = FloatVector.fromArray(S, v, x);
                FloatVector v1 = FloatVector.fromArray(S, v, x + VL);
                FloatVector p0 = FloatVector.broadcast(S, p[pb + j]);
                FloatVector p1 = FloatVector.broadcast(S, p[pb + CHUNK + j]);
                FloatVector p2 = FloatVector.broadcast(S, p[pb + 2 * CHUNK + j]);
                FloatVector p3 = FloatVector.broadcast(S, p[pb + 3 * CHUNK + j]);
                a0 = p0.fma(v0, a0);
                a1 = p1.fma(v0, a1);
                a2 = p2.fma(v0, a2);
                a3 = p3.fma(v0, a3);
                b0 = p0.fma(v1, b0);
                b1 = p1.fma(v1, b1);
                b2 = p2.fma(v1, b2);
                b3 = p3.fma(v1, b3);
            }
            a0.intoArray(partial, o + d);
            a1.intoArray(partial, o + stride + d);
            a2.intoArray(partial, o + 2 * stride + d);
            a3.intoArray(partial, o + 3 * stride + d);
            b0.intoArray(partial, o + e);
            b1.intoArray(partial, o + stride + e);
            b2.intoArray(partial, o + 2 * stride + e);
            b3.intoArray(partial, o + 3 * stride + e);
        }
    }

    /**
     * p[po + i] = Σ_d qs[qo + d] · k[at + i·row + d] for the 16 keys i &lt; 16: each key's lanes (one fma chain over
     * the head dimension, four keys per pass) summed by a transposing tree (quad, then {@link #tree} through
     * t: [4][16]), the same tree for every key, so a key's score does not depend on its place in the block.
     */
    private static void scores16(float[] qs, int qo, float[] k, int at, int row, int hd, float[] p, int po, float[] t) {
        for (int g = 0; g < 16; g += 4) {
            int o = at + g * row;
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d += VL) {
                FloatVector x = FloatVector.fromArray(S, qs, qo + d);
                a0 = x.fma(FloatVector.fromArray(S, k, o + d), a0);
                a1 = x.fma(FloatVector.fromArray(S, k, o + row + d), a1);
                a2 = x.fma(FloatVector.fromArray(S, k, o + 2 * row + d), a2);
                a3 = x.fma(FloatVector.fromArray(S, k, o + 3 * row + d), a3);
            }
            // quad: folds w = 8 of (a0, a1) and (a2, a3), then w = 4 of the two (see tree)
            FloatVector l = a0.blend(a1, H8).add(a1.blend(a0, H8).rearrange(X8));
            FloatVector r = a2.blend(a3, H8).add(a3.blend(a2, H8).rearrange(X8));
            l.blend(r, H4).add(r.blend(l, H4).rearrange(X4)).intoArray(t, g / 4 * VL);
        }
        tree(t, 0, p, po);
    }

    /**
     * p[po + i] = the lane sum of key i, for i &lt; 16, from the four quads at t[to..to + 4·VL) (quad q: keys 4q ..
     * 4q + 3), the lane-sum tree's last two levels.
     * <p>
     * The tree: a fold of level w turns two vectors a, b into one whose lane l holds {@code a[l] + a[l ^ w]} where
     * bit w of l is clear and {@code b[l] + b[l ^ w]} where it is set: {@code a.blend(b, H).add(b.blend(a,
     * H).rearrange(X))} (H: the lanes with bit w set, X: the lane swap l → l ^ w). The score kernels fold each four
     * keys' FMA chains (k0 .. k3) in registers into a quad, w = 8 of (k0, k1) and of (k2, k3), then w = 4 of the two:
     * lane l of a quad holds a partial sum of key {@code (l >> 3 & 1) + 2 (l >> 2 & 1)}, {@code (x[l] + x[l ^ 8]) +
     * (x[l ^ 4] + x[l ^ 12])}. Here w = 2 of (quad 0, quad 1) and of (quad 2, quad 3), then w = 1 of the two: lane l
     * holds key {@code bitReverse4(l)}, which one lane shuffle ({@link #REVERSE}) puts in lane order. Every key's
     * lanes are summed in the same tree, levels w = 8, 4, 2, 1, whatever its place: a key's score does not depend on
     * its place in the block. Four quads go through memory per 16 keys instead of 16 vectors, then 8, 4 and 2 (a
     * store and a load each). The folds are written out, not called: C2 inlines a helper that takes vectors only
     * while the caller is below its NodeCountInliningCutoff, and a helper it does not inline takes boxed vectors (1b
     * shape in L2, {@code AttentionBench decode 256 1 2000 32 8 1}: 8.0 → 21 ns per head and key, 1.6 MB allocated
     * per step), where the Vector API's own methods are inlined past it.
     */
    private static void tree(float[] t, int to, float[] p, int po) {
        FloatVector q0 = FloatVector.fromArray(S, t, to);
        FloatVector q1 = FloatVector.fromArray(S, t, to + VL);
        FloatVector q2 = FloatVector.fromArray(S, t, to + 2 * VL);
        FloatVector q3 = FloatVector.fromArray(S, t, to + 3 * VL);
        FloatVector u0 = q0.blend(q1, H2).add(q1.blend(q0, H2).rearrange(X2));
        FloatVector u1 = q2.blend(q3, H2).add(q3.blend(q2, H2).rearrange(X2));
        u0.blend(u1, H1).add(u1.blend(u0, H1).rearrange(X1)).rearrange(REVERSE).intoArray(p, po);
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
