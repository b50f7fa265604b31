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
 * the 16 chains' lanes summed by one transposing tree of blends and lane swaps, {@link #tree}); otherwise one key at
 * a time, lanes summed by {@link FewRowsAttention#sumLanes}. A store and 16 scalar adds per (key, head), as before,
 * cost ~80 cycles each, so 1b decode attention at context 2048 took 57 ms per token for 134 MB of K/V.
 * P·V: blocks of 16 value rows, per head and VL output lanes one register accumulator over the block's rows.
 * Grouped-query attention: {@link #GROUP} query heads that share a K/V head run together ({@link #scoresGroup},
 * {@link #pvGroup} and their halves twins), each K/V vector loaded (or widened) once for the four; every head keeps
 * its own FMA chains, so its bits are those of the one-head kernels. Each block of K or V rows is read ahead one
 * block early ({@link #readAhead}): the head slices are read at the stride of a whole row, which the hardware
 * prefetchers do not follow. 1b shape, context 2048, 2 threads ({@code AttentionBench decode 2048 2 60}): F32
 * 12.7–13.1 → 8.2–8.7 ms per step, F16 13.3–15.5 → 6.8–8.8.
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
            float[] t = sc.b(GROUP * VL * VL);
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
            a0.intoArray(t, g * VL);
            a1.intoArray(t, (g + 1) * VL);
            a2.intoArray(t, (g + 2) * VL);
            a3.intoArray(t, (g + 3) * VL);
        }
        tree(t, p, po);
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
        int tv = VL * VL;
        for (int g = 0; g < 16; g += 4) {
            int o = at + g * row;
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
            int gv = g * VL;
            a00.intoArray(t, gv);
            a01.intoArray(t, gv + VL);
            a02.intoArray(t, gv + 2 * VL);
            a03.intoArray(t, gv + 3 * VL);
            a10.intoArray(t, tv + gv);
            a11.intoArray(t, tv + gv + VL);
            a12.intoArray(t, tv + gv + 2 * VL);
            a13.intoArray(t, tv + gv + 3 * VL);
            a20.intoArray(t, 2 * tv + gv);
            a21.intoArray(t, 2 * tv + gv + VL);
            a22.intoArray(t, 2 * tv + gv + 2 * VL);
            a23.intoArray(t, 2 * tv + gv + 3 * VL);
            a30.intoArray(t, 3 * tv + gv);
            a31.intoArray(t, 3 * tv + gv + VL);
            a32.intoArray(t, 3 * tv + gv + 2 * VL);
            a33.intoArray(t, 3 * tv + gv + 3 * VL);
        }
        for (int i = 0; i < GROUP; i++) {
            tree(t, i * tv, p, po + i * CHUNK);
        }
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
     * that share the key slice at k[at..]: four keys × four heads per pass, every K vector loaded once for the four
     * heads. Each (head, key) is the same FMA chain over the head dimension, from zero, in order, and the same
     * {@link #tree} (head i's through t[i·16·VL..]), so a head's scores have the bits {@link #scores16} gives it.
     */
    private static void scoresGroup(float[] qs, int qo, float[] k, int at, int row, int hd, float[] p, int po,
                                    float[] t) {
        int tv = VL * VL;
        for (int g = 0; g < 16; g += 4) {
            int o = at + g * row;
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
            int gv = g * VL;
            a00.intoArray(t, gv);
            a01.intoArray(t, gv + VL);
            a02.intoArray(t, gv + 2 * VL);
            a03.intoArray(t, gv + 3 * VL);
            a10.intoArray(t, tv + gv);
            a11.intoArray(t, tv + gv + VL);
            a12.intoArray(t, tv + gv + 2 * VL);
            a13.intoArray(t, tv + gv + 3 * VL);
            a20.intoArray(t, 2 * tv + gv);
            a21.intoArray(t, 2 * tv + gv + VL);
            a22.intoArray(t, 2 * tv + gv + 2 * VL);
            a23.intoArray(t, 2 * tv + gv + 3 * VL);
            a30.intoArray(t, 3 * tv + gv);
            a31.intoArray(t, 3 * tv + gv + VL);
            a32.intoArray(t, 3 * tv + gv + 2 * VL);
            a33.intoArray(t, 3 * tv + gv + 3 * VL);
        }
        for (int i = 0; i < GROUP; i++) {
            tree(t, i * tv, p, po + i * CHUNK);
        }
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
     * the head dimension) summed by a transposing tree ({@link #tree}, through t: [16][16]), the same tree for every
     * key, so a key's score does not depend on its place in the block.
     */
    private static void scores16(float[] qs, int qo, float[] k, int at, int row, int hd, float[] p, int po, float[] t) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
        for (int d = 0; d < hd; d += VL) {
            FloatVector x = FloatVector.fromArray(S, qs, qo + d);
            int o = at + d;
            a0 = x.fma(FloatVector.fromArray(S, k, o), a0);
            a1 = x.fma(FloatVector.fromArray(S, k, o + row), a1);
            a2 = x.fma(FloatVector.fromArray(S, k, o + 2 * row), a2);
            a3 = x.fma(FloatVector.fromArray(S, k, o + 3 * row), a3);
            o += 4 * row;
            a4 = x.fma(FloatVector.fromArray(S, k, o), a4);
            a5 = x.fma(FloatVector.fromArray(S, k, o + row), a5);
            a6 = x.fma(FloatVector.fromArray(S, k, o + 2 * row), a6);
            a7 = x.fma(FloatVector.fromArray(S, k, o + 3 * row), a7);
            o += 4 * row;
            a8 = x.fma(FloatVector.fromArray(S, k, o), a8);
            a9 = x.fma(FloatVector.fromArray(S, k, o + row), a9);
            a10 = x.fma(FloatVector.fromArray(S, k, o + 2 * row), a10);
            a11 = x.fma(FloatVector.fromArray(S, k, o + 3 * row), a11);
            o += 4 * row;
            a12 = x.fma(FloatVector.fromArray(S, k, o), a12);
            a13 = x.fma(FloatVector.fromArray(S, k, o + row), a13);
            a14 = x.fma(FloatVector.fromArray(S, k, o + 2 * row), a14);
            a15 = x.fma(FloatVector.fromArray(S, k, o + 3 * row), a15);
        }
        a0.intoArray(t, 0);
        a1.intoArray(t, VL);
        a2.intoArray(t, 2 * VL);
        a3.intoArray(t, 3 * VL);
        a4.intoArray(t, 4 * VL);
        a5.intoArray(t, 5 * VL);
        a6.intoArray(t, 6 * VL);
        a7.intoArray(t, 7 * VL);
        a8.intoArray(t, 8 * VL);
        a9.intoArray(t, 9 * VL);
        a10.intoArray(t, 10 * VL);
        a11.intoArray(t, 11 * VL);
        a12.intoArray(t, 12 * VL);
        a13.intoArray(t, 13 * VL);
        a14.intoArray(t, 14 * VL);
        a15.intoArray(t, 15 * VL);
        tree(t, p, po);
    }

    /**
     * p[po + i] = the lane sum of t[i][0..16), for i &lt; 16, by four levels of {@link #fold} (w = 8, 4, 2, 1): after
     * level w, row i &lt; w holds the partial sums of key i in the lanes with bit w clear and of key i + w where it is
     * set. Every key's lanes are summed in the same tree, ((l + l^8) + (l^4 + l^12)) ..., whatever its place. One copy
     * of the fold per level: with all fifteen unrolled by hand C2 stops inlining (NodeCountInliningCutoff) and boxes.
     */
    private static void tree(float[] t, float[] p, int po) {
        tree(t, 0, p, po);
    }

    /** {@link #tree} of the 16 vectors at t[to..to + 16·VL). */
    private static void tree(float[] t, int to, float[] p, int po) {
        for (int i = 0; i < 8; i++) {
            fold(FloatVector.fromArray(S, t, to + i * VL), FloatVector.fromArray(S, t, to + (i + 8) * VL), H8, X8)
                    .intoArray(t, to + i * VL);
        }
        for (int i = 0; i < 4; i++) {
            fold(FloatVector.fromArray(S, t, to + i * VL), FloatVector.fromArray(S, t, to + (i + 4) * VL), H4, X4)
                    .intoArray(t, to + i * VL);
        }
        for (int i = 0; i < 2; i++) {
            fold(FloatVector.fromArray(S, t, to + i * VL), FloatVector.fromArray(S, t, to + (i + 2) * VL), H2, X2)
                    .intoArray(t, to + i * VL);
        }
        fold(FloatVector.fromArray(S, t, to), FloatVector.fromArray(S, t, to + VL), H1, X1).intoArray(p, po);
    }

    /**
     * Lane i of the result: {@code a[i] + a[i ^ w]} where bit w of i is clear, {@code b[i] + b[i ^ w]} where it is
     * set ({@code high}: the lanes with bit w set, {@code swap}: i → i ^ w). Four folds (w = 8, 4, 2, 1) turn 16
     * vectors into one whose lane i holds the lane sum of vector i.
     */
    private static FloatVector fold(FloatVector a, FloatVector b, VectorMask<Float> high, VectorShuffle<Float> swap) {
        return a.blend(b, high).add(b.blend(a, high).rearrange(swap));
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
