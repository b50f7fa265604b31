package io.starspark.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * 16-lane twins of {@link BlockType}'s scalar block decoders: quant bits are unpacked in byte lanes,
 * converted exactly to float (small integers), then scaled with the scalar path's float operations
 * in its order (no fused multiply-add), so every value has the same bits on both paths; the oracle
 * test checks both against gguf-py. Used when the preferred float species has 16 lanes (AVX-512);
 * elsewhere the scalar path runs.
 */
final class BlockVectors {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    private static final IntVector IOTA = IntVector.zero(I).addIndex(1);
    /** Whether {@link BlockType#dequantize} takes these paths. */
    static final boolean ENABLED = FloatVector.SPECIES_PREFERRED.length() == 16;

    private BlockVectors() {
    }

    /** The block at {@code b[at]} into {@code y[o..]}: {@link BlockType}'s scalar decoder, 16 lanes at a time. */
    static void dequantize(BlockType t, byte[] b, int at, float[] y, int o) {
        switch (t) {
            case Q4_0 -> q4_0(b, at, y, o);
            case Q4_1 -> q4_1(b, at, y, o);
            case Q5_0 -> q5_0(b, at, y, o);
            case Q5_1 -> q5_1(b, at, y, o);
            case Q4_K -> kQuant(b, at, -1, at + 16, y, o);
            case Q5_K -> kQuant(b, at, at + 16, at + 48, y, o);
            case Q6_K -> q6_k(b, at, y, o);
        }
    }

    private static FloatVector toFloat(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    private static ByteVector low(ByteVector v) {
        return v.and((byte) 0x0f);
    }

    private static ByteVector high(ByteVector v) {
        return v.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0f);
    }

    /** Bit {@code first + lane} of {@code bits} per lane, as 0f or 1f. */
    private static FloatVector bits(int bits, int first) {
        return (FloatVector) IntVector.broadcast(I, bits).lanewise(VectorOperators.LSHR, IOTA.add(first))
                .and(1).convert(VectorOperators.I2F, 0);
    }

    private static void q4_0(byte[] b, int at, float[] y, int o) {
        float d = BlockType.half(b, at);
        ByteVector q = ByteVector.fromArray(B, b, at + 2);
        toFloat(low(q)).sub(8f).mul(d).intoArray(y, o);
        toFloat(high(q)).sub(8f).mul(d).intoArray(y, o + 16);
    }

    private static void q4_1(byte[] b, int at, float[] y, int o) {
        float d = BlockType.half(b, at);
        float m = BlockType.half(b, at + 2);
        ByteVector q = ByteVector.fromArray(B, b, at + 4);
        toFloat(low(q)).mul(d).add(m).intoArray(y, o);
        toFloat(high(q)).mul(d).add(m).intoArray(y, o + 16);
    }

    private static void q5_0(byte[] b, int at, float[] y, int o) {
        float d = BlockType.half(b, at);
        int qh = BlockType.int32(b, at + 2);
        ByteVector q = ByteVector.fromArray(B, b, at + 6);
        toFloat(low(q)).add(bits(qh, 0).mul(16f)).sub(16f).mul(d).intoArray(y, o);
        toFloat(high(q)).add(bits(qh, 16).mul(16f)).sub(16f).mul(d).intoArray(y, o + 16);
    }

    private static void q5_1(byte[] b, int at, float[] y, int o) {
        float d = BlockType.half(b, at);
        float m = BlockType.half(b, at + 2);
        int qh = BlockType.int32(b, at + 4);
        ByteVector q = ByteVector.fromArray(B, b, at + 8);
        toFloat(low(q)).add(bits(qh, 0).mul(16f)).mul(d).add(m).intoArray(y, o);
        toFloat(high(q)).add(bits(qh, 16).mul(16f)).mul(d).add(m).intoArray(y, o + 16);
    }

    /** {@link BlockType}'s kQuant: Q4_K ({@code qh < 0}) or Q5_K. */
    private static void kQuant(byte[] b, int at, int qh, int ql, float[] y, int o) {
        float d = BlockType.half(b, at);
        float min = BlockType.half(b, at + 2);
        for (int j = 0; j < 4; j++) {
            float d1 = d * BlockType.kScale(b, at + 4, 2 * j);
            float m1 = min * BlockType.kMin(b, at + 4, 2 * j);
            float d2 = d * BlockType.kScale(b, at + 4, 2 * j + 1);
            float m2 = min * BlockType.kMin(b, at + 4, 2 * j + 1);
            for (int h = 0; h < 32; h += 16) {
                ByteVector v = ByteVector.fromArray(B, b, ql + 32 * j + h);
                ByteVector lo = low(v);
                ByteVector hi = high(v);
                if (qh >= 0) {
                    ByteVector bits = ByteVector.fromArray(B, b, qh + h).lanewise(VectorOperators.LSHR, 2 * j);
                    lo = lo.or(bits.and((byte) 1).lanewise(VectorOperators.LSHL, 4));
                    hi = hi.or(bits.and((byte) 2).lanewise(VectorOperators.LSHL, 3));
                }
                toFloat(lo).mul(d1).sub(m1).intoArray(y, o + 64 * j + h);
                toFloat(hi).mul(d2).sub(m2).intoArray(y, o + 64 * j + 32 + h);
            }
        }
    }

    private static void q6_k(byte[] b, int at, float[] y, int o) {
        float d = BlockType.half(b, at + 208);
        for (int n = 0; n < 2; n++) {
            int ql = at + 64 * n;
            int qh = at + 128 + 32 * n;
            int sc = at + 192 + 8 * n;
            int yo = o + 128 * n;
            for (int h = 0; h < 32; h += 16) {
                int is = h / 16;
                q6(b, ql + h, false, qh + h, 0, d * b[sc + is], y, yo + h);
                q6(b, ql + 32 + h, false, qh + h, 2, d * b[sc + is + 2], y, yo + 32 + h);
                q6(b, ql + h, true, qh + h, 4, d * b[sc + is + 4], y, yo + 64 + h);
                q6(b, ql + 32 + h, true, qh + h, 6, d * b[sc + is + 6], y, yo + 96 + h);
            }
        }
    }

    /**
     * 16 Q6_K values: 4 low bits from the low or high nibbles at {@code b[lo..]}, 2 high bits from
     * {@code b[hi..] >>> shift}; y = scale·(q - 32). (One small method per 16 values keeps each
     * compiled unit within the JIT's inlining budget, so the vector operations stay intrinsics.)
     */
    private static void q6(byte[] b, int lo, boolean highNibble, int hi, int shift, float scale, float[] y, int o) {
        ByteVector l = ByteVector.fromArray(B, b, lo);
        ByteVector h = ByteVector.fromArray(B, b, hi).lanewise(VectorOperators.LSHR, shift).and((byte) 3);
        toFloat(highNibble ? high(l) : low(l)).add(toFloat(h).mul(16f)).sub(32f).mul(scale).intoArray(y, o);
    }
}
