package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * The few-token (decode) matmul {@code out[t][r] = Σ_c x[t][c] · W[r][c]}, tokens ≤ {@link JavaMatmul#SMALL_T}: a
 * weight-streaming loop, one row at a time (front to back: one stream per thread, which the hardware prefetcher
 * follows best; several rows per pass over x measured slower on F32 and Q8_0, see bench/README.md). F32 rows are
 * read in place; Q8_0 and F16 rows are widened in registers (no float row written and re-read; F16 four rows per
 * pass, {@link #f16Rows}; Q8_0 rows wider than 2048 columns chunk by chunk, {@link #q8Rows}); the block types
 * (Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K) fold their block or sub-block scales into the sums
 * ({@link #kQuantRows}; the K-quants with their quants as int lanes, {@link #laneRows}); other weights (and every type
 * where the float species is not 16 lanes) are decoded by {@link Matrix#loadRow} into a per-thread buffer.
 * <p>
 * For F32, F16 and the decoded types every row's sum is {@link JavaMatmul#dot}'s on the row {@code loadRow}
 * decodes: two accumulators over alternate {@code VL}-lane chunks, added, reduced, then the scalar tail. So the
 * bits do not depend on the thread split or the JIT tier, and equal {@code loadRow} + {@code dot}
 * ({@code MatmulRepeatabilityTest}). Q8_0 and the block types sum in other fixed orders, the scales applied per
 * block (same bits on any split and tier, within float rounding of loadRow + dot).
 */
final class Gemv {
    private static final VectorSpecies<Float> S = JavaMatmul.S;
    private static final int VL = JavaMatmul.VL;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    private static final VectorSpecies<Short> H16 = ShortVector.SPECIES_256;
    /** Lane j holds j. */
    private static final IntVector IOTA = IntVector.zero(I16).addIndex(1);
    /*
     * K-quant scale bytes u[0..12) (Q4_K, Q5_K) to lanes 0-7 = the 6-bit scales, 8-15 = the 6-bit mins of the
     * eight sub-blocks ({@link BlockType#kScale}, {@link BlockType#kMin}): low bits (u[K_LO] >>> K_SHIFT) & K_MASK,
     * high bits ((u[K_HI] >>> 6) << 4) & K_HI_MASK.
     */
    private static final VectorShuffle<Integer> K_LO = VectorShuffle.fromValues(I16,
            0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final IntVector K_SHIFT = IntVector.fromArray(I16,
            new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0);
    private static final IntVector K_MASK = IntVector.fromArray(I16,
            new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final VectorShuffle<Integer> K_HI = VectorShuffle.fromValues(I16,
            0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7);
    private static final IntVector K_HI_MASK = IntVector.fromArray(I16,
            new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_512;
    private static final VectorSpecies<Byte> B32 = ByteVector.SPECIES_256;
    /** K-quant rows: a group of rows runs chunk by chunk of this many columns ({@link #laneRows}). */
    static final int LANE_CHUNK = 2048;
    static final int LANE_GROUP = 16;
    /** Q4_K: the factor of each lane of half h's even (E) or odd (O) nibbles: sub-block 4h + 2·(i / 8) (+ 1). */
    private static final VectorShuffle<Float> KE0 = halves(0, 2);
    private static final VectorShuffle<Float> KO0 = halves(1, 3);
    private static final VectorShuffle<Float> KE1 = halves(4, 6);
    private static final VectorShuffle<Float> KO1 = halves(5, 7);
    /** Q6_K: the factor of lane i of a half's even (E) or odd (O) nibbles: its 16-value group 4·(k mod 2) + i / 4. */
    private static final VectorShuffle<Float> SE0 = quarters(0);
    private static final VectorShuffle<Float> SO0 = quarters(4);
    /** Q5_K, Q6_K: the 8 int lanes of 32 qh bytes in both halves of the vector (lane i from lane i mod 8). */
    private static final VectorShuffle<Integer> DUP0 = VectorShuffle.fromValues(I16,
            0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    /**
     * Q5_K, Q6_K: lane i's qh bits of nibble k sit 2·(i / 8) above where they belong relative to its bits 4k..4k+3;
     * shifted left by 4 − 2·(i / 8) they sit at 4k + 4 (Q6_K's 2 bits of nibble k &lt; 7; Q5_K's bit of even nibbles,
     * its qh shifted down by 4h first). Nibble 7's are shifted right by {@link #H6_RIGHT7} / {@link #Q5_RIGHT7}
     * to bit 4.
     */
    private static final IntVector QH_LEFT = IntVector.fromArray(I16,
            new int[] {4, 4, 4, 4, 4, 4, 4, 4, 2, 2, 2, 2, 2, 2, 2, 2}, 0);
    /** Q5_K: the odd nibbles' bit sits at 8·(k / 2) + 1 + 2·(i / 8); shifted left by these, at 4k + 4. */
    private static final IntVector Q5_ODD = IntVector.fromArray(I16,
            new int[] {7, 7, 7, 7, 7, 7, 7, 7, 5, 5, 5, 5, 5, 5, 5, 5}, 0);
    private static final IntVector Q5_RIGHT7 = IntVector.fromArray(I16,
            new int[] {21, 21, 21, 21, 21, 21, 21, 21, 23, 23, 23, 23, 23, 23, 23, 23}, 0);
    private static final IntVector H6_RIGHT7 = IntVector.fromArray(I16,
            new int[] {24, 24, 24, 24, 24, 24, 24, 24, 26, 26, 26, 26, 26, 26, 26, 26}, 0);
    /** Lanes 8-15: the mins' half of {@link #kFactors}. */
    private static final VectorMask<Float> HIGH8 = VectorMask.fromLong(S, 0xff00L);

    private Gemv() {
    }

    /** Lanes 0-7 from lane {@code a}, lanes 8-15 from lane {@code b}. */
    private static VectorShuffle<Float> halves(int a, int b) {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i < 8 ? a : b;
        }
        return VectorShuffle.fromArray(S, v, 0);
    }

    /** Lane i from lane {@code first + i / 4}. */
    private static VectorShuffle<Float> quarters(int first) {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = first + i / 4;
        }
        return VectorShuffle.fromArray(S, v, 0);
    }

    /**
     * Whether rows of this block type run {@link #laneRows} (the K-quants, 256-value blocks), which read
     * {@link GemvInput}'s interleaved copies of x instead of x itself.
     */
    static boolean readsLanes(BlockType t) {
        return t.blockSize() == 256;
    }

    /** Rows {@code [r0, r1)} of out for every token of in ({@link GemvInput#of} for w); out: [tokens][rows]. */
    static void rows(float[] out, GemvInput in, Matrix w, int r0, int r1, Scratch s) {
        float[] x = in.x;
        int xb = in.xBase;
        int tokens = in.tokens;
        int rows = w.rows();
        int cols = w.cols();
        if (VL == 16 && w instanceof Q8Matrix q8) {
            q8Rows(out, x, xb, q8, tokens, r0, r1, s);
            return;
        }
        if (VL == 16 && w instanceof F16Matrix f16 && cols % (2 * VL) == 0) {
            int r = r0;
            for (; r + 4 <= r1; r += 4) {
                for (int t = 0; t < tokens; t++) {
                    f16Rows(out, t * rows + r, x, xb + t * cols, f16.data(), r * cols, cols);
                }
            }
            for (; r < r1; r++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = f16Row(x, xb + t * cols, f16.data(), r * cols, cols);
                }
            }
            return;
        }
        if (VL == 16 && w instanceof BlockMatrix bm && readsLanes(bm.type())) {
            laneRows(out, in, bm, r0, r1, s);
            return;
        }
        if (VL == 16 && w instanceof BlockMatrix bm) {
            kQuantRows(out, x, xb, in.sums32, bm, tokens, r0, r1, s);
            return;
        }
        boolean f32 = w instanceof F32Matrix;
        float[] row = f32 ? ((F32Matrix) w).data() : s.row(cols);
        for (int r = r0; r < r1; r++) {
            int off = r * cols;
            if (!f32) {
                w.loadRow(r, row, 0);
                off = 0;
            }
            for (int t = 0; t < tokens; t++) {
                out[t * rows + r] = JavaMatmul.dot(x, xb + t * cols, row, off, cols);
            }
        }
    }

    /**
     * Rows {@code [r0, r1)} of a Q8_0 matrix for every token. Row-major matrices (rows up to {@link
     * Q8Matrix#TILE_COLS} wide) one row at a time; tiled ones ({@link Q8Matrix#tiled}) per group of
     * {@link Q8Matrix#TILE_ROWS} rows and token, chunk by chunk, every row of the group over one chunk of x before
     * the next chunk (so that chunk of x stays in L1 while the weights stream), each row's four accumulators carried
     * from chunk to chunk in scratch: every row runs {@link #q8Span}'s arithmetic in the same order as in one
     * piece, so the bits do not depend on the layout, the split or the tier. The weights are read front to back
     * either way (a group's rows of one chunk are consecutive).
     */
    private static void q8Rows(float[] out, float[] x, int xb, Q8Matrix w, int tokens, int r0, int r1, Scratch s) {
        int rows = w.rows();
        int cols = w.cols();
        byte[] q = w.tiledQuants();
        float[] sc = w.tiledScales();
        if (!w.tiled()) {
            for (int r = r0; r < r1; r++) {
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = q8Span(x, xb + t * cols, q, sc, r * cols, cols / Q8Matrix.BLOCK, null, 0,
                            true, true);
                }
            }
            return;
        }
        float[] carry = s.carry(Q8Matrix.TILE_ROWS * 4 * VL);
        for (int g0 = r0 - r0 % Q8Matrix.TILE_ROWS; g0 < r1; g0 += Q8Matrix.TILE_ROWS) {
            int from = Math.max(r0, g0);
            int to = Math.min(r1, g0 + Q8Matrix.TILE_ROWS);
            for (int t = 0; t < tokens; t++) {
                for (int c0 = 0; c0 < cols; c0 += Q8Matrix.TILE_COLS) {
                    int width = Math.min(Q8Matrix.TILE_COLS, cols - c0);
                    boolean first = c0 == 0;
                    boolean last = c0 + width == cols;
                    for (int r = from; r < to; r++) {
                        float v = q8Span(x, xb + t * cols + c0, q, sc, w.quantIndex(r, c0), width / Q8Matrix.BLOCK,
                                carry, (r - g0) * 4 * VL, first, last);
                        if (last) {
                            out[t * rows + r] = v;
                        }
                    }
                }
            }
        }
    }

    /**
     * Q8_0 blocks held consecutively from quant index {@code qi} (scale index {@code qi / 32}) against x from
     * {@code xOff}: per 32-value block {@code d·Σ x·q} (q exact as float: {@code s = x0·q0}, then
     * {@code fma(x1, q1, s)}, 16 lanes each), folded into four vector accumulators, block {@code b} into
     * accumulator {@code b mod 4} while four blocks remain, the remaining blocks into the first; at the row's end
     * {@code (a0 + a1) + (a2 + a3)} reduced and returned. A row in several spans (tiled: every span but the last a
     * multiple of four blocks) starts from zero ({@code first}), else from the four accumulators in
     * {@code carry[at..at + 64)}, and leaves them there unless {@code last}. The scale is one FMA per block instead
     * of a multiply per value, and four independent chains hide the FMA latency (one row at a time: the work per
     * byte is low, yet two rows per pass measured slower, bench/README.md). Another fixed order than loadRow + dot,
     * as the block types: the same bits on every split and tier, within float rounding of the decoded row
     * ({@code MatmulRepeatabilityTest}); {@code GemvTest} holds a scalar twin of this order and compares bits.
     * Needs 16 float lanes.
     */
    private static float q8Span(float[] x, int xOff, byte[] q, float[] sc, int qi, int blocks, float[] carry, int at,
                                boolean first, boolean last) {
        int s0 = qi / Q8Matrix.BLOCK;
        FloatVector a0;
        FloatVector a1;
        FloatVector a2;
        FloatVector a3;
        if (first) {
            a0 = FloatVector.zero(S);
            a1 = a0;
            a2 = a0;
            a3 = a0;
        } else {
            a0 = FloatVector.fromArray(S, carry, at);
            a1 = FloatVector.fromArray(S, carry, at + VL);
            a2 = FloatVector.fromArray(S, carry, at + 2 * VL);
            a3 = FloatVector.fromArray(S, carry, at + 3 * VL);
        }
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            int c = b * Q8Matrix.BLOCK;
            int xc = xOff + c;
            int qc = qi + c;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(B16, q, qc).convertShape(B2F, S, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(B16, q, qc + 16).convertShape(B2F, S, 0);
            FloatVector w2 = (FloatVector) ByteVector.fromArray(B16, q, qc + 32).convertShape(B2F, S, 0);
            FloatVector w3 = (FloatVector) ByteVector.fromArray(B16, q, qc + 48).convertShape(B2F, S, 0);
            FloatVector w4 = (FloatVector) ByteVector.fromArray(B16, q, qc + 64).convertShape(B2F, S, 0);
            FloatVector w5 = (FloatVector) ByteVector.fromArray(B16, q, qc + 80).convertShape(B2F, S, 0);
            FloatVector w6 = (FloatVector) ByteVector.fromArray(B16, q, qc + 96).convertShape(B2F, S, 0);
            FloatVector w7 = (FloatVector) ByteVector.fromArray(B16, q, qc + 112).convertShape(B2F, S, 0);
            FloatVector s0v = FloatVector.fromArray(S, x, xc + 16).fma(w1, FloatVector.fromArray(S, x, xc).mul(w0));
            FloatVector s1v = FloatVector.fromArray(S, x, xc + 48).fma(w3, FloatVector.fromArray(S, x, xc + 32).mul(w2));
            FloatVector s2v = FloatVector.fromArray(S, x, xc + 80).fma(w5, FloatVector.fromArray(S, x, xc + 64).mul(w4));
            FloatVector s3v = FloatVector.fromArray(S, x, xc + 112).fma(w7, FloatVector.fromArray(S, x, xc + 96).mul(w6));
            a0 = s0v.fma(FloatVector.broadcast(S, sc[s0 + b]), a0);
            a1 = s1v.fma(FloatVector.broadcast(S, sc[s0 + b + 1]), a1);
            a2 = s2v.fma(FloatVector.broadcast(S, sc[s0 + b + 2]), a2);
            a3 = s3v.fma(FloatVector.broadcast(S, sc[s0 + b + 3]), a3);
        }
        for (; b < blocks; b++) {
            int c = b * Q8Matrix.BLOCK;
            FloatVector w0 = (FloatVector) ByteVector.fromArray(B16, q, qi + c).convertShape(B2F, S, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(B16, q, qi + c + 16).convertShape(B2F, S, 0);
            FloatVector sv = FloatVector.fromArray(S, x, xOff + c + 16).fma(w1, FloatVector.fromArray(S, x, xOff + c).mul(w0));
            a0 = sv.fma(FloatVector.broadcast(S, sc[s0 + b]), a0);
        }
        if (!last) {
            a0.intoArray(carry, at);
            a1.intoArray(carry, at + VL);
            a2.intoArray(carry, at + 2 * VL);
            a3.intoArray(carry, at + 3 * VL);
            return 0f;
        }
        return a0.add(a1).add(a2.add(a3)).reduceLanes(ADD);
    }

    /** {@link #halfBits} shifted left by one at or above this: the half was Inf or NaN. */
    static final int HALF_SPECIAL = 0x1f << 24;
    /** {@link #halfBits} as floats times this: the halves' values (exact: a power of two). */
    static final float HALF_REBIAS = 0x1p112f;

    /**
     * The 16 halves at h[at..] as float bits with the half's exponent bias: sign at bit 31, exponent and mantissa
     * shifted into float position ({@code (h & 0x7fff) << 13}). As a float times {@link #HALF_REBIAS} that is
     * {@link Half#toFloat} for every finite half (normal, subnormal, zero; {@code GemvTest}); for Inf and NaN (exponent
     * 31) it is a finite number instead, which {@link #HALF_SPECIAL} tells. Three operations after the load
     * (widen, shift, mask) where {@link Half#toFloats} needs eight: the F16 rows check the halves once per row
     * instead of blending every value.
     */
    static IntVector halfBits(short[] h, int at) {
        IntVector s = (IntVector) ShortVector.fromArray(H16, h, at).convertShape(VectorOperators.S2I, I16, 0);
        return s.lanewise(VectorOperators.LSHL, 13).and(0x8fffe000);
    }

    /**
     * F16 rows at h[at..], h[at + cols..], ... (four) into out[o .. o + 4); cols a multiple of 2·VL. One chunk of VL
     * values per iteration, the two accumulators of a row swapped after each, so chunk k still lands in
     * accumulator k mod 2 as in dot. The halves go through {@link #halfBits} (four per loop body: with four
     * {@link Half#toFloats} C2 reached its inlining node limit and boxed the vectors of the rest, ~10x slower); if a
     * row holds an Inf or NaN, the four are summed again with {@link Half#toFloats} (same bits as toFloat for every
     * half, 8 operations instead of 3). Four rows per pass share each x load (two per pass measured slower on
     * 64 MB matrices, one thread).
     */
    private static void f16Rows(float[] out, int o, float[] x, int xOff, short[] h, int at, int cols) {
        int h1 = at + cols;
        int h2 = h1 + cols;
        int h3 = h2 + cols;
        FloatVector a0 = FloatVector.zero(S), b0 = FloatVector.zero(S);
        FloatVector a1 = FloatVector.zero(S), b1 = FloatVector.zero(S);
        FloatVector a2 = FloatVector.zero(S), b2 = FloatVector.zero(S);
        FloatVector a3 = FloatVector.zero(S), b3 = FloatVector.zero(S);
        IntVector big = IntVector.zero(I16);
        for (int c = 0; c < cols; c += VL) {
            FloatVector xv = FloatVector.fromArray(S, x, xOff + c);
            IntVector w0 = halfBits(h, at + c);
            IntVector w1 = halfBits(h, h1 + c);
            IntVector w2 = halfBits(h, h2 + c);
            IntVector w3 = halfBits(h, h3 + c);
            big = big.max(w0.lanewise(VectorOperators.LSHL, 1)).max(w1.lanewise(VectorOperators.LSHL, 1))
                    .max(w2.lanewise(VectorOperators.LSHL, 1)).max(w3.lanewise(VectorOperators.LSHL, 1));
            FloatVector n0 = xv.fma(w0.reinterpretAsFloats().mul(HALF_REBIAS), a0);
            FloatVector n1 = xv.fma(w1.reinterpretAsFloats().mul(HALF_REBIAS), a1);
            FloatVector n2 = xv.fma(w2.reinterpretAsFloats().mul(HALF_REBIAS), a2);
            FloatVector n3 = xv.fma(w3.reinterpretAsFloats().mul(HALF_REBIAS), a3);
            a0 = b0;
            b0 = n0;
            a1 = b1;
            b1 = n1;
            a2 = b2;
            b2 = n2;
            a3 = b3;
            b3 = n3;
        }
        if (big.reduceLanes(VectorOperators.MAX) >= HALF_SPECIAL) {
            for (int i = 0; i < 4; i++) {
                out[o + i] = f16RowSpecial(x, xOff, h, at + i * cols, cols);
            }
            return;
        }
        out[o] = a0.add(b0).reduceLanes(VectorOperators.ADD);
        out[o + 1] = a1.add(b1).reduceLanes(VectorOperators.ADD);
        out[o + 2] = a2.add(b2).reduceLanes(VectorOperators.ADD);
        out[o + 3] = a3.add(b3).reduceLanes(VectorOperators.ADD);
    }

    /** One F16 row at h[at..]; cols a multiple of 2·VL. As {@link #f16Rows}. */
    private static float f16Row(float[] x, int xOff, short[] h, int at, int cols) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector b0 = FloatVector.zero(S);
        IntVector big = IntVector.zero(I16);
        for (int c = 0; c < cols; c += 2 * VL) {
            IntVector w0 = halfBits(h, at + c);
            IntVector w1 = halfBits(h, at + c + VL);
            big = big.max(w0.lanewise(VectorOperators.LSHL, 1)).max(w1.lanewise(VectorOperators.LSHL, 1));
            a0 = FloatVector.fromArray(S, x, xOff + c).fma(w0.reinterpretAsFloats().mul(HALF_REBIAS), a0);
            b0 = FloatVector.fromArray(S, x, xOff + c + VL).fma(w1.reinterpretAsFloats().mul(HALF_REBIAS), b0);
        }
        if (big.reduceLanes(VectorOperators.MAX) >= HALF_SPECIAL) {
            return f16RowSpecial(x, xOff, h, at, cols);
        }
        return a0.add(b0).reduceLanes(VectorOperators.ADD);
    }

    /** One F16 row holding an Inf or NaN, through {@link Half#toFloats}: dot's order, every half exact. */
    private static float f16RowSpecial(float[] x, int xOff, short[] h, int at, int cols) {
        FloatVector a0 = FloatVector.zero(S);
        FloatVector b0 = FloatVector.zero(S);
        for (int c = 0; c < cols; c += 2 * VL) {
            a0 = FloatVector.fromArray(S, x, xOff + c).fma(Half.toFloats(h, at + c), a0);
            b0 = FloatVector.fromArray(S, x, xOff + c + VL).fma(Half.toFloats(h, at + c + VL), b0);
        }
        return a0.add(b0).reduceLanes(VectorOperators.ADD);
    }

    /**
     * The 32-value block types' rows without decoding them to floats (the K-quants: {@link #laneRows}): a block's
     * values are {@code d·(q − 8 or 16)} (Q4_0, Q5_0: q − offset exact in int lanes) or {@code d·q + m} (Q4_1, Q5_1),
     * so its share of the dot is {@code d·Σ x·(q − offset)} or {@code d·Σ x·q + m·Σ x}. Per value one widening and
     * one multiply(-add) instead of decode, scale, offset, store and reload; the scale once per block; {@code Σ x}
     * per 32 values of x once per matmul call ({@link GemvInput#sums32}, the types with a min). One row at a time
     * (the work per byte is higher than Q8_0's, x loads matter less), each row's kernel one flat method so C2 keeps
     * its vectors in registers; per row one vector accumulator (blocks in order) and one float for the mins.
     */
    private static void kQuantRows(float[] out, float[] x, int xb, float[] sums, BlockMatrix w, int tokens, int r0,
            int r1, Scratch s) {
        int rows = w.rows();
        int cols = w.cols();
        BlockType type = w.type();
        int rowBytes = type.rowBytes(cols);
        byte[] b = w.data();
        int chunks = cols / 32;
        for (int r = r0; r < r1; r++) {
            int at = r * rowBytes;
            for (int t = 0; t < tokens; t++) {
                int xOff = xb + t * cols;
                int so = t * chunks;
                out[t * rows + r] = switch (type) {
                    case Q4_0 -> q4_0Row(x, xOff, b, at, cols);
                    case Q4_1 -> q4_1Row(x, xOff, sums, so, b, at, cols);
                    case Q5_0 -> q5_0Row(x, xOff, b, at, cols);
                    case Q5_1 -> q5_1Row(x, xOff, sums, so, b, at, cols);
                    case Q4_K, Q5_K, Q6_K -> throw new IllegalArgumentException(type + " rows take laneRows");
                };
            }
        }
    }

    /*
     * The block kernels below widen 16 quant bytes with ByteVector.fromArray(B16, ..).convertShape(B2I, I16, 0)
     * (sign-extended; then masked: shifts and masks in 32-bit lanes, which x86 has) and int lanes to float with
     * convert(I2F, 0), written out at every use rather than in helper methods: a helper is an ordinary method, which
     * C2 refuses to inline once a compile unit reaches its inlining node limit (e.g. the small legacy kernels
     * inlined together into kQuantRows of a JVM that ran several types); the helper then runs on its own, compiled
     * without the vector's exact class, and takes the Vector API's Java fallback (measured: llama3-tiny q4_0 decode
     * 9-17 tok/s after a q5_0 model in the same JVM, 180 alone). The API's own methods are force-inlined past it.
     */

    /**
     * Rows {@code [r0, r1)} of a Q4_K, Q5_K or Q6_K matrix for every token of in, their quants read 64 bytes at a
     * time as 16 int lanes against x interleaved into the lanes' order. Int lane i of half h of a block (128 values:
     * Q4_K's 64 bytes of nibbles at 16 + 64h, Q5_K's at 48 + 64h, Q6_K's ql at 64h) holds bytes 4i..4i+3; its nibble
     * k (bits 4k..4k+3) is byte k / 2's low (k even) or high nibble, the block's value
     * {@code 128h + G·(i / 8) + N·(k mod 2) + 4·(i mod 8) + k / 2} (Q4_K, Q5_K: G = 64, N = 32, sub-block
     * 4h + 2·(i / 8) + k mod 2, Q5_K's 5th bit in qh; Q6_K: G = 32, N = 64, 16-value group 8h + 4·(k mod 2) + i / 4,
     * its 2 high bits in qh). x comes interleaved into that order ({@link #interleave}) and
     * scaled by 2^-4k, so that nibble k needs no shift: masked in place, {@code v & (15 << 4k)} = q·2^4k (the high
     * bits ORed in above it) is exact as float, and times x·2^-4k gives x·q's rounding. Per 16 values one mask, one
     * conversion and one FMA (Q5_K, Q6_K: two masks and an OR, fused by C2), where byte widening took ~4.5 (Q6_K
     * ~11); per half the even and the odd nibbles sum apart and are multiplied by their lanes' factors (the block's 16
     * factors rearranged). A sub-block's values are {@code d1·q − m1} (Q4_K, Q5_K) or {@code d1·(q − 32)} (Q6_K), so
     * the mins and the offset come in per block as one FMA of the factors against sums of x ({@link GemvInput}): in
     * Q4_K's loop (a whole block per iteration), for Q5_K and Q6_K after theirs ({@link #factorDot}).
     * <p>
     * The interleaved x starts at {@link GemvInput}'s offset, on a 64-byte line ({@link ArrayAlignment}: a 16-float
     * load that does not start on 32 bytes costs ~10% of the loop on Zen 4). It is read from L1 at four bytes per
     * value against the quants' half byte, and a row's x beyond ~2048 values no
     * longer stays in L1 next to the quants streaming in (measured: 2048-value Q4_K rows 14.8 G values/s on one
     * core, the same rows against x spread over 32 KB 7.3-8.0): so a group of up to {@link #LANE_GROUP} rows runs one
     * chunk of {@link #LANE_CHUNK} columns after the other, each row's chunk sums added in chunk order. Every row's
     * sum has one order, whatever the thread split or the group (within float rounding of loadRow + dot). Before
     * the chunks of wide rows, the group's bytes are read once, one byte per 64, so that they come in from memory as
     * one stream (without it, 16 Q4_K rows of 8192 columns chunk by chunk ran at 0.74x of the row-by-row kernel;
     * with it 1.08x on one thread, and 16 rows per group measured best against 8, 32 and 64).
     */
    private static void laneRows(float[] out, GemvInput in, BlockMatrix w, int r0, int r1, Scratch s) {
        int rows = w.rows();
        int cols = w.cols();
        int tokens = in.tokens;
        BlockType type = w.type();
        boolean q6 = type == BlockType.Q6_K;
        int blockBytes = type.blockBytes();
        int rowBytes = type.rowBytes(cols);
        float[] xi = q6 ? in.q6k : in.q4k;
        int base = q6 ? in.q6kBase : in.q4kBase;
        float[] sums = q6 ? in.q6kSums : in.q4kSums;
        byte[] b = w.data();
        float[] ks = s.kScales(LANE_CHUNK / 16 + 8); // Q6_K's last half reads 8 floats past its block's 16
        for (int g = r0; g < r1; g += LANE_GROUP) {
            int ge = Math.min(r1, g + LANE_GROUP);
            if (cols > LANE_CHUNK) {
                int touched = 0;
                for (int p = g * rowBytes; p < ge * rowBytes; p += 64) {
                    touched += b[p];
                }
                s.readAhead += touched;
            }
            for (int c = 0; c < cols; c += LANE_CHUNK) {
                int n = Math.min(LANE_CHUNK, cols - c);
                for (int r = g; r < ge; r++) {
                    int at = r * rowBytes + c / 256 * blockBytes;
                    for (int k = 0, p = at; k < n / 16; k += 16, p += blockBytes) {
                        if (q6) {
                            q6kFactors(b, p, ks, k);
                        } else {
                            kFactors(b, p, ks, k);
                        }
                    }
                    for (int t = 0; t < tokens; t++) {
                        int xo = t * cols + c;
                        float sum = switch (type) {
                            case Q4_K -> q4kChunk(xi, base + xo, ks, sums, xo / 16, b, at, n);
                            case Q5_K -> q5kChunk(xi, base + xo, ks, b, at, n) - factorDot(ks, sums, xo / 16, n);
                            case Q6_K -> q6kChunk(xi, base + xo, ks, b, at, n) - 32f * factorDot(ks, sums, xo / 16, n);
                            default -> throw new IllegalArgumentException(type + " rows take kQuantRows");
                        };
                        out[t * rows + r] = c == 0 ? sum : out[t * rows + r] + sum;
                    }
                }
            }
        }
    }

    /**
     * x[xo, xo + cols) into xi[io, io + cols) in the order of {@link #laneRows}' int lanes, scaled: per 128 values c
     * (from 0), nibble k &lt; 8 and lane i &lt; 16, {@code xi[io + c + 16k + i] = x[xo + c + g·(i / 8) + n·(k mod 2) +
     * 4·(i mod 8) + k / 2]·2^-4k} (k &lt; 7; nibble 7 is shifted down, its x not scaled); Q4_K g = 64, n = 32, Q6_K
     * g = 32, n = 64. Scaling by a power of two is exact for normal floats.
     */
    static void interleave(float[] x, int xo, float[] xi, int io, int cols, int g, int n) {
        for (int c = 0; c < cols; c += 128) {
            for (int k = 0; k < 8; k++) {
                int from = xo + c + n * (k & 1) + (k >> 1);
                int to = io + c + 16 * k;
                float scale = k < 7 ? Math.scalb(1f, -4 * k) : 1f;
                for (int i = 0; i < 8; i++) {
                    xi[to + i] = x[from + 4 * i] * scale;
                    xi[to + 8 + i] = x[from + g + 4 * i] * scale;
                }
            }
        }
    }

    /**
     * One Q4_K row's n values at b[at] (whole blocks) against xi[xo, xo + n) ({@link #interleave}, g = 64, n = 32)
     * and its blocks' factors in ks ([n / 256][16], {@link #kFactors}): {@code Σ x·d·scale·q − Σ dmin·min·Σx}, the
     * mins one FMA per block of the factors against the block's sums of x at sums[so + 16·block]
     * ({@link GemvInput#q4kSums}: zero against the scales' lanes) in a third accumulator, subtracted before the one
     * reduction (with the mins after the loop, {@link #factorDot}, the 1b Q4_K_M decode step ran ~5% slower: median
     * step 61.1 against 58.2 ms, the median over 9 and 10 JVMs). Both half-blocks written out per iteration (C2 keeps
     * this one's vectors in registers).
     */
    private static float q4kChunk(float[] xi, int xo, float[] ks, float[] sums, int so, byte[] b, int at, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector mins = FloatVector.zero(S);
        for (int c = 0, p = at + 16, k = 0; c < n; c += 256, p += 144, k += 16) {
            FloatVector f = FloatVector.fromArray(S, ks, k);
            mins = f.fma(FloatVector.fromArray(S, sums, so + k), mins);
            int x0 = xo + c;
            IntVector v = ByteVector.fromArray(B64, b, p).reinterpretAsInts();
            FloatVector e = FloatVector.fromArray(S, xi, x0).mul((FloatVector) v.and(0xf).convert(I2F, 0));
            FloatVector o = FloatVector.fromArray(S, xi, x0 + 16).mul((FloatVector) v.and(0xf0).convert(I2F, 0));
            e = FloatVector.fromArray(S, xi, x0 + 32).fma((FloatVector) v.and(0xf00).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 48).fma((FloatVector) v.and(0xf000).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 64).fma((FloatVector) v.and(0xf0000).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 80).fma((FloatVector) v.and(0xf00000).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 96).fma((FloatVector) v.and(0xf000000).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 112).fma((FloatVector) v.lanewise(LSHR, 28).convert(I2F, 0), o);
            acc0 = e.fma(f.rearrange(KE0), acc0);
            acc1 = o.fma(f.rearrange(KO0), acc1);
            IntVector u = ByteVector.fromArray(B64, b, p + 64).reinterpretAsInts();
            e = FloatVector.fromArray(S, xi, x0 + 128).mul((FloatVector) u.and(0xf).convert(I2F, 0));
            o = FloatVector.fromArray(S, xi, x0 + 144).mul((FloatVector) u.and(0xf0).convert(I2F, 0));
            e = FloatVector.fromArray(S, xi, x0 + 160).fma((FloatVector) u.and(0xf00).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 176).fma((FloatVector) u.and(0xf000).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 192).fma((FloatVector) u.and(0xf0000).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 208).fma((FloatVector) u.and(0xf00000).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 224).fma((FloatVector) u.and(0xf000000).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 240).fma((FloatVector) u.lanewise(LSHR, 28).convert(I2F, 0), o);
            acc0 = e.fma(f.rearrange(KE1), acc0);
            acc1 = o.fma(f.rearrange(KO1), acc1);
        }
        return acc0.add(acc1).sub(mins).reduceLanes(ADD);
    }

    /**
     * One Q5_K row's n values at b[at] (whole blocks: d, dmin, 12 bytes of scales, qh[32] at +16, 128 bytes of nibbles
     * at +48) against xi[xo, xo + n) ({@link #interleave}, g = 64, n = 32, as Q4_K) and its blocks' factors in ks
     * ({@link #kFactors}): {@code Σ x·d·scale·q}, before the mins ({@link #factorDot}). Nibble k of lane i of half h
     * has its 5th bit in qh byte 4·(i mod 8) + k / 2 at bit 4h + 2·(i / 8) + k mod 2: the 32 qh bytes as 8 int lanes
     * in both halves of the vector ({@link #DUP0}), shifted down by 4h, then left by {@link #QH_LEFT} or
     * {@link #Q5_ODD} put it at bit 4k + 4 above the nibble (nibble 7's: right by {@link #Q5_RIGHT7} to bit 4). One
     * half-block per iteration (one copy of the vector code); its 4 scales are lanes 0-3 of the vector at its block's
     * factors + 4h.
     */
    private static float q5kChunk(float[] xi, int xo, float[] ks, byte[] b, int at, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int c = 0; c < n; c += 128) {
            int h = (c >> 7) & 1;
            int p = at + (c >> 8) * 176;
            int x0 = xo + c;
            FloatVector f = FloatVector.fromArray(S, ks, (c >> 8) * 16 + 4 * h);
            IntVector v = ByteVector.fromArray(B64, b, p + 48 + 64 * h).reinterpretAsInts();
            IntVector q = ((IntVector) ByteVector.fromArray(B32, b, p + 16).reinterpretAsInts()
                    .reinterpretShape(I16, 0)).rearrange(DUP0).lanewise(LSHR, 4 * h);
            IntVector qe = q.lanewise(LSHL, QH_LEFT);
            IntVector qo = q.lanewise(LSHL, Q5_ODD);
            FloatVector e = FloatVector.fromArray(S, xi, x0).mul((FloatVector) v.and(0xf).or(qe.and(0x10)).convert(I2F, 0));
            FloatVector o = FloatVector.fromArray(S, xi, x0 + 16).mul((FloatVector) v.and(0xf0).or(qo.and(0x100)).convert(I2F, 0));
            e = FloatVector.fromArray(S, xi, x0 + 32).fma((FloatVector) v.and(0xf00).or(qe.and(0x1000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 48).fma((FloatVector) v.and(0xf000).or(qo.and(0x10000)).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 64).fma((FloatVector) v.and(0xf0000).or(qe.and(0x100000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 80).fma((FloatVector) v.and(0xf00000).or(qo.and(0x1000000)).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 96).fma((FloatVector) v.and(0xf000000).or(qe.and(0x10000000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 112).fma((FloatVector) v.lanewise(LSHR, 28)
                    .or(q.lanewise(LSHR, Q5_RIGHT7).and(0x10)).convert(I2F, 0), o);
            acc0 = e.fma(f.rearrange(KE0), acc0);
            acc1 = o.fma(f.rearrange(KO0), acc1);
        }
        return acc0.add(acc1).reduceLanes(ADD);
    }

    /**
     * A Q6_K block's 16 scales at b[p] (int8 at +192, d at +208) into f[o, o + 16): {@code f[o + m] = d·scale_m}, the
     * float product of the half and the int8 (one rounding).
     */
    private static void q6kFactors(byte[] b, int p, float[] f, int o) {
        FloatVector sc = (FloatVector) ByteVector.fromArray(B16, b, p + 192).convertShape(B2I, I16, 0).convert(I2F, 0);
        sc.mul(BlockType.half(b, p + 208)).intoArray(f, o);
    }

    /**
     * One Q6_K row's n values at b[at] (whole blocks) against xi[xo, xo + n) ({@link #interleave}, g = 32, n = 64) and
     * its blocks' factors in ks ([n / 256][16] and 8 more, {@link #q6kFactors}): {@code Σ x·d·scale·q}, q before its
     * offset of 32 ({@link #factorDot}). One half-block (128 values) per iteration, one copy of the vector code (with
     * both halves written out C2 reached its node limit and boxed the vectors: 2.5 against 5.9 GB/s): the half's 8
     * factors are lanes 0-7 of the vector at its block's factors + 8h; nibble k's 2 high bits come from the half's 32
     * bytes of qh (at +128 + 32h, 8 int lanes, {@link #DUP0} into both halves of the vector) shifted by
     * {@link #QH_LEFT} to bits 4k + 4, 4k + 5.
     */
    private static float q6kChunk(float[] xi, int xo, float[] ks, byte[] b, int at, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int c = 0; c < n; c += 128) {
            int h = (c >> 7) & 1;
            int p = at + (c >> 8) * 210;
            int x0 = xo + c;
            FloatVector f = FloatVector.fromArray(S, ks, (c >> 8) * 16 + 8 * h);
            IntVector v = ByteVector.fromArray(B64, b, p + 64 * h).reinterpretAsInts();
            IntVector q = ((IntVector) ByteVector.fromArray(B32, b, p + 128 + 32 * h).reinterpretAsInts()
                    .reinterpretShape(I16, 0)).rearrange(DUP0);
            IntVector qs = q.lanewise(LSHL, QH_LEFT);
            FloatVector e = FloatVector.fromArray(S, xi, x0).mul((FloatVector) v.and(0xf).or(qs.and(0x30)).convert(I2F, 0));
            FloatVector o = FloatVector.fromArray(S, xi, x0 + 16).mul((FloatVector) v.and(0xf0).or(qs.and(0x300)).convert(I2F, 0));
            e = FloatVector.fromArray(S, xi, x0 + 32).fma((FloatVector) v.and(0xf00).or(qs.and(0x3000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 48).fma((FloatVector) v.and(0xf000).or(qs.and(0x30000)).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 64).fma((FloatVector) v.and(0xf0000).or(qs.and(0x300000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 80).fma((FloatVector) v.and(0xf00000).or(qs.and(0x3000000)).convert(I2F, 0), o);
            e = FloatVector.fromArray(S, xi, x0 + 96).fma((FloatVector) v.and(0xf000000).or(qs.and(0x30000000)).convert(I2F, 0), e);
            o = FloatVector.fromArray(S, xi, x0 + 112).fma((FloatVector) v.lanewise(LSHR, 28)
                    .or(q.lanewise(LSHR, H6_RIGHT7).and(0x30)).convert(I2F, 0), o);
            acc0 = e.fma(f.rearrange(SE0), acc0);
            acc1 = o.fma(f.rearrange(SO0), acc1);
        }
        return acc0.add(acc1).reduceLanes(ADD);
    }

    /**
     * A row chunk's block factors in ks ([n / 256][16]) dotted with sums of x at sums[so] (16 per block), one vector
     * FMA per block, blocks in order: Q5_K's mins ({@code Σ dmin·min·Σx} per sub-block: the sums are zero against the
     * scales' lanes), Q6_K's offset of 32 over its 16-value groups ({@code Σ d·scale·Σx}). Q5_K and Q6_K run a
     * half-block per loop iteration: the same FMA once per block inside their loops (under {@code h == 0}) made C2
     * box their vectors (Q5_K 2.0 against 9 G values/s), and once per half against sums zero outside the half's lanes
     * cost Q6_K more than it saved (its 32000 × 2048 output matrix 4.1-4.8 → 5.0-6.1 ms per token).
     */
    private static float factorDot(float[] ks, float[] sums, int so, int n) {
        FloatVector acc = FloatVector.zero(S);
        for (int k = 0; k < n / 16; k += 16) {
            acc = FloatVector.fromArray(S, ks, k).fma(FloatVector.fromArray(S, sums, so + k), acc);
        }
        return acc.reduceLanes(ADD);
    }

    /** The little-endian int at b[at] (Q5_0/Q5_1's qh: bit j is the 5th bit of value j). */
    private static int int32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | b[at + 3] << 24;
    }

    /**
     * One Q4_0 row at b[at]: per 32-value block (d, 16 bytes: low nibbles values 0..15, high nibbles 16..31),
     * d·Σ x·(q − 8), q − 8 exact in int lanes. Per row one vector accumulator, blocks in order.
     */
    private static float q4_0Row(float[] x, int xOff, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0, p = at; c < cols; c += 32, p += 18) {
            IntVector v = (IntVector) ByteVector.fromArray(B16, b, p + 2).convertShape(B2I, I16, 0);
            FloatVector lo = (FloatVector) v.and(0x0f).sub(8).convert(I2F, 0);
            FloatVector hi = (FloatVector) v.lanewise(LSHR, 4).and(0x0f).sub(8).convert(I2F, 0);
            FloatVector sum = FloatVector.fromArray(S, x, xOff + c + 16).fma(hi, FloatVector.fromArray(S, x, xOff + c).mul(lo));
            acc = sum.fma(FloatVector.broadcast(S, BlockType.half(b, p)), acc);
        }
        return acc.reduceLanes(ADD);
    }

    /** One Q4_1 row at b[at]: per block (d, m, 16 bytes of nibbles) d·Σ x·q + m·Σ x. */
    private static float q4_1Row(float[] x, int xOff, float[] sums, int so, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        float mins = 0f;
        for (int c = 0, p = at, k = so; c < cols; c += 32, p += 20, k++) {
            IntVector v = (IntVector) ByteVector.fromArray(B16, b, p + 4).convertShape(B2I, I16, 0);
            FloatVector lo = (FloatVector) v.and(0x0f).convert(I2F, 0);
            FloatVector hi = (FloatVector) v.lanewise(LSHR, 4).and(0x0f).convert(I2F, 0);
            FloatVector sum = FloatVector.fromArray(S, x, xOff + c + 16).fma(hi, FloatVector.fromArray(S, x, xOff + c).mul(lo));
            acc = sum.fma(FloatVector.broadcast(S, BlockType.half(b, p)), acc);
            mins += BlockType.half(b, p + 2) * sums[k];
        }
        return acc.reduceLanes(ADD) + mins;
    }

    /**
     * One Q5_0 row at b[at]: per block (d, qh, 16 bytes of nibbles) d·Σ x·(q − 16), q = nibble | (bit j of qh) &lt;&lt; 4
     * for value j: lane j of {@code qh >>> j} holds value j's bit at 0 and value j + 16's at 16.
     */
    private static float q5_0Row(float[] x, int xOff, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        for (int c = 0, p = at; c < cols; c += 32, p += 22) {
            IntVector h = IntVector.broadcast(I16, int32(b, p + 2)).lanewise(LSHR, IOTA);
            IntVector v = (IntVector) ByteVector.fromArray(B16, b, p + 6).convertShape(B2I, I16, 0);
            FloatVector lo = (FloatVector) v.and(0x0f).or(h.lanewise(LSHL, 4).and(0x10)).sub(16).convert(I2F, 0);
            FloatVector hi = (FloatVector) v.lanewise(LSHR, 4).and(0x0f).or(h.lanewise(LSHR, 12).and(0x10)).sub(16)
                    .convert(I2F, 0);
            FloatVector sum = FloatVector.fromArray(S, x, xOff + c + 16).fma(hi, FloatVector.fromArray(S, x, xOff + c).mul(lo));
            acc = sum.fma(FloatVector.broadcast(S, BlockType.half(b, p)), acc);
        }
        return acc.reduceLanes(ADD);
    }

    /** One Q5_1 row at b[at]: per block (d, m, qh, 16 bytes of nibbles) d·Σ x·q + m·Σ x, q as in Q5_0. */
    private static float q5_1Row(float[] x, int xOff, float[] sums, int so, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        float mins = 0f;
        for (int c = 0, p = at, k = so; c < cols; c += 32, p += 24, k++) {
            IntVector h = IntVector.broadcast(I16, int32(b, p + 4)).lanewise(LSHR, IOTA);
            IntVector v = (IntVector) ByteVector.fromArray(B16, b, p + 8).convertShape(B2I, I16, 0);
            FloatVector lo = (FloatVector) v.and(0x0f).or(h.lanewise(LSHL, 4).and(0x10)).convert(I2F, 0);
            FloatVector hi = (FloatVector) v.lanewise(LSHR, 4).and(0x0f).or(h.lanewise(LSHR, 12).and(0x10)).convert(I2F, 0);
            FloatVector sum = FloatVector.fromArray(S, x, xOff + c + 16).fma(hi, FloatVector.fromArray(S, x, xOff + c).mul(lo));
            acc = sum.fma(FloatVector.broadcast(S, BlockType.half(b, p)), acc);
            mins += BlockType.half(b, p + 2) * sums[k];
        }
        return acc.reduceLanes(ADD) + mins;
    }

    /**
     * A Q4_K / Q5_K block's factors at b[p] (d, dmin, then 12 bytes of 6-bit scales and mins) into f[o, o + 16):
     * {@code f[o + j] = d·scale_j}, {@code f[o + 8 + j] = dmin·min_j}, the floats {@code d * BlockType.kScale(..)} and
     * {@code dmin * BlockType.kMin(..)} (one rounding each), decoded in vector lanes: per block a byte widening, two
     * permutes, shifts, masks and one multiply instead of sixteen scalar bit extractions, conversions and multiplies.
     * Arrays in and out (no vector crosses the call), so the method compiles alone as well as inlined.
     */
    private static void kFactors(byte[] b, int p, float[] f, int o) {
        IntVector u = ((IntVector) ByteVector.fromArray(B16, b, p + 4).convertShape(B2I, I16, 0)).and(0xff);
        IntVector lo = u.rearrange(K_LO).lanewise(LSHR, K_SHIFT).and(K_MASK);
        IntVector hi = u.rearrange(K_HI).lanewise(LSHR, 6).lanewise(LSHL, 4).and(K_HI_MASK);
        FloatVector dd = FloatVector.broadcast(S, BlockType.half(b, p)).blend(BlockType.half(b, p + 2), HIGH8);
        ((FloatVector) lo.or(hi).convert(I2F, 0)).mul(dd).intoArray(f, o);
    }

}
