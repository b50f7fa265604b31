package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.B2I;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * The decode GEMV of the K-quant types (Q4_K, Q5_K, Q6_K; 16 float lanes): the quants are read 64 bytes at a time
 * as 16 int lanes, and x is interleaved once per matmul call ({@link GemvInput}) into the order those lanes hold
 * the values in, so every 16 values cost one shift, one mask, one conversion and one FMA (plus, for Q5_K's and
 * Q6_K's high bits, a variable shift and a mask), with no byte widening and no per-value shuffle.
 * <p>
 * Half {@code h} of a 256-value block is 128 values, one 64-byte load {@code v} (Q4_K / Q5_K: the quants of
 * sub-blocks 4h..4h+3; Q6_K: its {@code ql} half). Int lane {@code i} holds bytes {@code 4i..4i+3}; nibble
 * {@code k} of the lane ({@code (v >>> 4k) & 15}) is byte {@code t = k >> 1}'s low ({@code k} even) or high nibble,
 * the value at {@code 128h + G·(i >> 3) + N·(k & 1) + 4·(i & 7) + t} of the block ({@link #interleave}; Q4_K, Q5_K:
 * G = 64, N = 32; Q6_K: G = 32, N = 64). So x holds, per half-block, 8 vectors {@code xi[16k .. 16k + 16)}; per
 * half two accumulators (even / odd {@code k}) are multiplied by their lanes' sub-block factors and summed in
 * order. The mins (Q4_K, Q5_K) and Q6_K's offset of 32 come in per block as one vector FMA of the block's factors
 * and the sums of x over each sub-block ({@link #subBlockSums}: {@code Σ x} per 32 values, lanes 8-15, against
 * the mins' lanes; Q6_K {@code Σ x} per 16). Each row's sum has one fixed order: the bits do not depend on the
 * thread split or the JIT tier (within float rounding of {@code loadRow} + dot: {@code KernelsContract}).
 * <p>
 * Each row's block factors ({@link #kFactors}, {@link #q6kScales}: the products of the halves and the integer
 * scales, with the bits of the scalar products) are decoded in a pass of their own before its kernel
 * ({@link #factors}). An Inf or NaN half gives non-finite factors, so the row's sum is not finite either (as
 * loadRow's: the forward pass then fails loudly).
 * <p>
 * Rows of more than 2048 columns lose speed (x no longer fits L1 next to the stream: Q4_K at 8192 columns ~10 GB/s on
 * 2 threads against ~14 at 2048); running a group of rows over one 2048-column chunk of x at a time, as the Q8_0
 * rows do, was slower still with these row-major blocks (bench/README.md).
 */
final class KQuantGemv {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_512;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;

    /*
     * A Q4_K / Q5_K block's first 16 bytes u[0..16) (d, dmin, 12 bytes of 6-bit scales and mins) to lanes 0-7 = the
     * scales, 8-15 = the mins of the eight sub-blocks (BlockType.kScale, kMin): low bits (u[K_LO] >>> K_SHIFT) &
     * K_MASK, high bits ((u[K_HI] >>> 6) << 4) & K_HI_MASK; and the halves' bits: lanes 0-7 d, 8-15 dmin, from
     * u[D_LO] | u[D_HI] << 8.
     */
    private static final VectorShuffle<Integer> K_LO = VectorShuffle.fromValues(I16,
            4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
    private static final IntVector K_SHIFT = IntVector.fromArray(I16,
            new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4}, 0);
    private static final IntVector K_MASK = IntVector.fromArray(I16,
            new int[] {63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 15, 15, 15, 15}, 0);
    private static final VectorShuffle<Integer> K_HI = VectorShuffle.fromValues(I16,
            4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 8, 9, 10, 11);
    private static final IntVector K_HI_MASK = IntVector.fromArray(I16,
            new int[] {0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30}, 0);
    /** Lanes 8-15: the mins' half of a block's factors. */
    private static final VectorMask<Float> HIGH8 = VectorMask.fromLong(S, 0xff00L);
    private static final VectorShuffle<Integer> D_LO = VectorShuffle.fromValues(I16,
            0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2);
    private static final VectorShuffle<Integer> D_HI = VectorShuffle.fromValues(I16,
            1, 1, 1, 1, 1, 1, 1, 1, 3, 3, 3, 3, 3, 3, 3, 3);

    /** Q4_K / Q5_K: the factor of each lane of half h's even (E) or odd (O) nibbles: sub-block 4h + 2·(i >> 3) (+ 1). */
    private static final VectorShuffle<Float> KE0 = halves(0, 2);
    private static final VectorShuffle<Float> KO0 = halves(1, 3);
    private static final VectorShuffle<Float> KE1 = halves(4, 6);
    private static final VectorShuffle<Float> KO1 = halves(5, 7);
    /** Q6_K: the scale of lane i of half h's even / odd nibbles: 16-value group 8h + 4·(k & 1) + (i >> 2). */
    private static final VectorShuffle<Float> SE0 = quarters(0);
    private static final VectorShuffle<Float> SO0 = quarters(4);
    private static final VectorShuffle<Float> SE1 = quarters(8);
    private static final VectorShuffle<Float> SO1 = quarters(12);
    /** The 8 int lanes of 32 bytes in both halves of the vector: the high bits of lanes i and i + 8 are byte 4·(i & 7).. */
    private static final VectorShuffle<Integer> DUP0 = VectorShuffle.fromValues(I16,
            0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7);
    private static final VectorShuffle<Integer> DUP1 = VectorShuffle.fromValues(I16,
            8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);

    /*
     * Where a high bit of nibble k lands: shifted by (lanes 0-7, lanes 8-15) to bit 4 (Q5_K's 5th bit, qh bit
     * 4h + 2·(i >> 3) + (k & 1) of byte k >> 1) or bits 4-5 (Q6_K's 2 bits, at 4·(k & 1) + 2·(i >> 3) of byte k >> 1).
     * Nibbles 0 and 1 shift left (Q5_K) or nibble 0 does (Q6_K), the rest right.
     */
    private static final IntVector H5_0 = pair(4, 2);
    private static final IntVector H5_1 = pair(3, 1);
    private static final IntVector H5_2 = pair(4, 6);
    private static final IntVector H5_3 = pair(5, 7);
    private static final IntVector H5_4 = pair(12, 14);
    private static final IntVector H5_5 = pair(13, 15);
    private static final IntVector H5_6 = pair(20, 22);
    private static final IntVector H5_7 = pair(21, 23);
    private static final IntVector H6_0 = pair(4, 2);
    private static final IntVector H6_1 = pair(0, 2);
    private static final IntVector H6_2 = pair(4, 6);
    private static final IntVector H6_3 = pair(8, 10);
    private static final IntVector H6_4 = pair(12, 14);
    private static final IntVector H6_5 = pair(16, 18);
    private static final IntVector H6_6 = pair(20, 22);
    private static final IntVector H6_7 = pair(24, 26);

    private KQuantGemv() {
    }

    /** Lanes 0-7 from lane {@code a}, lanes 8-15 from lane {@code b}. */
    private static VectorShuffle<Float> halves(int a, int b) {
        return VectorShuffle.fromArray(S, pairArray(a, b), 0);
    }

    /** Lane i from lane {@code first + i / 4}. */
    private static VectorShuffle<Float> quarters(int first) {
        int[] idx = new int[16];
        for (int i = 0; i < 16; i++) {
            idx[i] = first + i / 4;
        }
        return VectorShuffle.fromArray(S, idx, 0);
    }

    /** {@code a} in lanes 0-7, {@code b} in lanes 8-15. */
    private static IntVector pair(int a, int b) {
        return IntVector.fromArray(I16, pairArray(a, b), 0);
    }

    private static int[] pairArray(int a, int b) {
        int[] v = new int[16];
        for (int i = 0; i < 16; i++) {
            v[i] = i < 8 ? a : b;
        }
        return v;
    }

    /**
     * Rows {@code [r0, r1)} of a Q4_K, Q5_K or Q6_K matrix for every token; out: [tokens][rows]. Per row its block
     * factors ({@link #factors}), then its kernel per token. (Decoding the next row's factors before this row's
     * kernel, so that its memory is on the way: slower in the 1b decode step, 93–97 against 73–80 ms.)
     */
    static void rows(float[] out, GemvInput in, BlockMatrix w, int r0, int r1, Scratch s) {
        int rows = w.rows();
        int cols = w.cols();
        BlockType type = w.type();
        boolean q6 = type == BlockType.Q6_K;
        float[] xi = q6 ? in.k6 : in.k45;
        float[] sums = q6 ? in.k6Sums : in.k45Sums;
        float[] fs = s.kScales(cols / 16);
        byte[] b = w.data();
        int rowBytes = type.rowBytes(cols);
        for (int r = r0; r < r1; r++) {
            int at = r * rowBytes;
            factors(type, b, at, cols, fs);
            for (int t = 0; t < in.tokens; t++) {
                int xo = t * cols;
                out[t * rows + r] = switch (type) {
                    case Q4_K -> q4kRow(xi, xo, sums, xo / 16, fs, b, at, cols);
                    case Q5_K -> q5kRow(xi, xo, sums, xo / 16, fs, b, at, cols);
                    case Q6_K -> q6kRow(xi, xo, sums, xo / 16, fs, b, at, cols);
                    default -> throw new IllegalArgumentException("not a K-quant type: " + type);
                };
            }
        }
    }

    /**
     * {@code xi[xo + c + 16k + i] = x[xo + c + g·(i >> 3) + n·(k & 1) + 4·(i & 7) + (k >> 1)]} for every half-block
     * {@code c} (128 values), nibble {@code k < 8} and lane {@code i < 16}: x in the order of the quants' int lanes.
     */
    static void interleave(float[] x, int xo, float[] xi, int cols, int g, int n) {
        for (int c = xo; c < xo + cols; c += 128) {
            for (int k = 0; k < 8; k++) {
                int from = c + n * (k & 1) + (k >> 1);
                int to = c + 16 * k;
                for (int i = 0; i < 8; i++) {
                    xi[to + i] = x[from + 4 * i];
                    xi[to + 8 + i] = x[from + g + 4 * i];
                }
            }
        }
    }

    /**
     * Per block (16 floats at {@code so + c / 16}): Q6_K {@code Σ x} over each 16 values in order; Q4_K / Q5_K zero
     * in lanes 0-7 and {@code Σ x} over sub-block j (32 values) in lane 8 + j, against the block factors' mins.
     */
    static void subBlockSums(float[] x, int xo, float[] sums, int so, int cols, boolean per16) {
        for (int c = 0; c < cols; c += 256) {
            int o = so + c / 16;
            for (int j = 0; j < 16; j++) {
                int n = per16 ? 16 : j < 8 ? 0 : 32;
                int from = xo + c + (per16 ? 16 * j : 32 * (j - 8));
                float sum = 0f;
                for (int l = 0; l < n; l++) {
                    sum += x[from + l];
                }
                sums[o + j] = sum;
            }
        }
    }

    /**
     * The factors of the Q4_K / Q5_K block at b[p] (d, dmin, 12 bytes of 6-bit scales and mins): lanes 0-7
     * {@code d·scale_j}, 8-15 {@code dmin·min_j}, the floats {@code BlockType.half(..) * kScale(..)} (one rounding;
     * an Inf or NaN half gives non-finite factors, so the row's sum is not finite either, as loadRow's).
     */
    static FloatVector kFactors(byte[] b, int p) {
        IntVector u = ((IntVector) ByteVector.fromArray(B16, b, p).convertShape(B2I, I16, 0)).and(0xff);
        return ((FloatVector) u.rearrange(K_LO).lanewise(LSHR, K_SHIFT).and(K_MASK)
                .or(u.rearrange(K_HI).lanewise(LSHR, 6).lanewise(LSHL, 4).and(K_HI_MASK)).convert(I2F, 0))
                .mul(FloatVector.broadcast(S, BlockType.half(b, p)).blend(BlockType.half(b, p + 2), HIGH8));
    }

    /**
     * A row's block factors into {@code fs[16 · block ..]} ({@link #kFactors}, {@link #q6kScales}), in a pass of its
     * own: decoded in the kernels' loops, they put a kernel past C2's inlining node limit in a JVM that has compiled
     * much else (Q4_K's vectors boxed, 3 GB/s instead of 10 in the 1b decode step), and the kernels' compile units
     * hold only their quants' vector code this way.
     */
    static void factors(BlockType type, byte[] b, int at, int cols, float[] fs) {
        if (type == BlockType.Q6_K) {
            for (int c = 0, p = at; c < cols; c += 256, p += 210) {
                q6kScales(b, p).intoArray(fs, c / 16);
            }
            return;
        }
        for (int c = 0, p = at; c < cols; c += 256, p += type.blockBytes()) {
            kFactors(b, p).intoArray(fs, c / 16);
        }
    }

    /** The scales of the Q6_K block at b[p]: {@code d · scale_m} per 16-value group m (the scalar product's bits). */
    static FloatVector q6kScales(byte[] b, int p) {
        return ((FloatVector) ByteVector.fromArray(B16, b, p + 192).convertShape(B2F, S, 0)).mul(BlockType.half(b, p + 208));
    }

    /** One Q4_K row (blocks of d, dmin, 12 bytes of scales, 128 of nibbles) against interleaved x. */
    static float q4kRow(float[] xi, int xo, float[] sums, int so, float[] fs, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        FloatVector mins = FloatVector.zero(S);
        for (int c = 0, p = at; c < cols; c += 256, p += 144) {
            FloatVector f = FloatVector.fromArray(S, fs, c / 16);
            mins = f.fma(FloatVector.fromArray(S, sums, so + c / 16), mins);
            for (int h = 0; h < 2; h++) {
                int xc = xo + c + 128 * h;
                IntVector v = ByteVector.fromArray(B64, b, p + 16 + 64 * h).reinterpretAsInts();
                FloatVector e = FloatVector.fromArray(S, xi, xc).mul((FloatVector) v.and(15).convert(I2F, 0));
                FloatVector o = FloatVector.fromArray(S, xi, xc + 16)
                        .mul((FloatVector) v.lanewise(LSHR, 4).and(15).convert(I2F, 0));
                e = FloatVector.fromArray(S, xi, xc + 32).fma((FloatVector) v.lanewise(LSHR, 8).and(15).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 48).fma((FloatVector) v.lanewise(LSHR, 12).and(15).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 64).fma((FloatVector) v.lanewise(LSHR, 16).and(15).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 80).fma((FloatVector) v.lanewise(LSHR, 20).and(15).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 96).fma((FloatVector) v.lanewise(LSHR, 24).and(15).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 112).fma((FloatVector) v.lanewise(LSHR, 28).convert(I2F, 0), o);
                acc = e.fma(f.rearrange(h == 0 ? KE0 : KE1), acc);
                acc = o.fma(f.rearrange(h == 0 ? KO0 : KO1), acc);
            }
        }
        return acc.reduceLanes(ADD) - mins.reduceLanes(ADD);
    }

    /**
     * One Q5_K row (blocks of d, dmin, 12 bytes of scales, qh[32], 128 bytes of nibbles) against interleaved x: as
     * {@link #q4kRow}, the 5th bit of value l of sub-block j being bit j of qh[l] (qh's 8 int lanes in both halves
     * of a vector, shifted right by 4 for the second half-block).
     */
    static float q5kRow(float[] xi, int xo, float[] sums, int so, float[] fs, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        FloatVector mins = FloatVector.zero(S);
        for (int c = 0, p = at; c < cols; c += 256, p += 176) {
            FloatVector f = FloatVector.fromArray(S, fs, c / 16);
            mins = f.fma(FloatVector.fromArray(S, sums, so + c / 16), mins);
            IntVector qh = ByteVector.fromArray(B64, b, p + 16).reinterpretAsInts().rearrange(DUP0);
            for (int h = 0; h < 2; h++) {
                int xc = xo + c + 128 * h;
                IntVector v = ByteVector.fromArray(B64, b, p + 48 + 64 * h).reinterpretAsInts();
                IntVector u = qh.lanewise(LSHR, 4 * h);
                FloatVector e = FloatVector.fromArray(S, xi, xc)
                        .mul((FloatVector) v.and(15).or(u.lanewise(LSHL, H5_0).and(16)).convert(I2F, 0));
                FloatVector o = FloatVector.fromArray(S, xi, xc + 16)
                        .mul((FloatVector) v.lanewise(LSHR, 4).and(15).or(u.lanewise(LSHL, H5_1).and(16)).convert(I2F, 0));
                e = FloatVector.fromArray(S, xi, xc + 32)
                        .fma((FloatVector) v.lanewise(LSHR, 8).and(15).or(u.lanewise(LSHR, H5_2).and(16)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 48)
                        .fma((FloatVector) v.lanewise(LSHR, 12).and(15).or(u.lanewise(LSHR, H5_3).and(16)).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 64)
                        .fma((FloatVector) v.lanewise(LSHR, 16).and(15).or(u.lanewise(LSHR, H5_4).and(16)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 80)
                        .fma((FloatVector) v.lanewise(LSHR, 20).and(15).or(u.lanewise(LSHR, H5_5).and(16)).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 96)
                        .fma((FloatVector) v.lanewise(LSHR, 24).and(15).or(u.lanewise(LSHR, H5_6).and(16)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 112)
                        .fma((FloatVector) v.lanewise(LSHR, 28).or(u.lanewise(LSHR, H5_7).and(16)).convert(I2F, 0), o);
                acc = e.fma(f.rearrange(h == 0 ? KE0 : KE1), acc);
                acc = o.fma(f.rearrange(h == 0 ? KO0 : KO1), acc);
            }
        }
        return acc.reduceLanes(ADD) - mins.reduceLanes(ADD);
    }

    /**
     * One Q6_K row (blocks of ql[128], qh[64], int8 scales[16], d) against interleaved x: per half-block the 64
     * bytes of ql and that half's 32 bytes of qh in both halves of a vector; {@code Σ d·scale·x·q} less
     * {@code 32 · Σ d·scale·Σx} per 16-value group.
     */
    static float q6kRow(float[] xi, int xo, float[] sums, int so, float[] fs, byte[] b, int at, int cols) {
        FloatVector acc = FloatVector.zero(S);
        FloatVector offset = FloatVector.zero(S);
        for (int c = 0, p = at; c < cols; c += 256, p += 210) {
            FloatVector sc = FloatVector.fromArray(S, fs, c / 16);
            offset = sc.fma(FloatVector.fromArray(S, sums, so + c / 16), offset);
            IntVector qhs = ByteVector.fromArray(B64, b, p + 128).reinterpretAsInts();
            for (int h = 0; h < 2; h++) {
                int xc = xo + c + 128 * h;
                IntVector v = ByteVector.fromArray(B64, b, p + 64 * h).reinterpretAsInts();
                IntVector u = qhs.rearrange(h == 0 ? DUP0 : DUP1);
                FloatVector e = FloatVector.fromArray(S, xi, xc)
                        .mul((FloatVector) v.and(15).or(u.lanewise(LSHL, H6_0).and(0x30)).convert(I2F, 0));
                FloatVector o = FloatVector.fromArray(S, xi, xc + 16)
                        .mul((FloatVector) v.lanewise(LSHR, 4).and(15).or(u.lanewise(LSHR, H6_1).and(0x30)).convert(I2F, 0));
                e = FloatVector.fromArray(S, xi, xc + 32)
                        .fma((FloatVector) v.lanewise(LSHR, 8).and(15).or(u.lanewise(LSHR, H6_2).and(0x30)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 48)
                        .fma((FloatVector) v.lanewise(LSHR, 12).and(15).or(u.lanewise(LSHR, H6_3).and(0x30)).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 64)
                        .fma((FloatVector) v.lanewise(LSHR, 16).and(15).or(u.lanewise(LSHR, H6_4).and(0x30)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 80)
                        .fma((FloatVector) v.lanewise(LSHR, 20).and(15).or(u.lanewise(LSHR, H6_5).and(0x30)).convert(I2F, 0), o);
                e = FloatVector.fromArray(S, xi, xc + 96)
                        .fma((FloatVector) v.lanewise(LSHR, 24).and(15).or(u.lanewise(LSHR, H6_6).and(0x30)).convert(I2F, 0), e);
                o = FloatVector.fromArray(S, xi, xc + 112)
                        .fma((FloatVector) v.lanewise(LSHR, 28).or(u.lanewise(LSHR, H6_7).and(0x30)).convert(I2F, 0), o);
                acc = e.fma(sc.rearrange(h == 0 ? SE0 : SE1), acc);
                acc = o.fma(sc.rearrange(h == 0 ? SO0 : SO1), acc);
            }
        }
        return acc.reduceLanes(ADD) - 32f * offset.reduceLanes(ADD);
    }
}
