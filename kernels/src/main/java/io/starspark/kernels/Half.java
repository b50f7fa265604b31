package io.starspark.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** IEEE-754 binary16 and bfloat16 conversions (Java 17 has no Float.float16ToFloat). */
public final class Half {
    private static final VectorSpecies<Short> H16 = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I16 = IntVector.SPECIES_512;
    /** Exponent and mantissa of a half shifted into float position ({@code (h & 0x7fff) << 13}) at or past this: Inf or NaN. */
    private static final int SPECIAL = 0x1f << 23;
    /** 512-bit vectors: the float species holds 16 lanes (elsewhere the 512-bit shapes would run in Java). */
    private static final boolean WIDE = FloatVector.SPECIES_PREFERRED.length() == 16;
    private static final VectorSpecies<Float> F16 = FloatVector.SPECIES_512;
    /** Float bits of 2^-14, the smallest normal half: below it the half is subnormal or zero. */
    private static final int MIN_NORMAL = 113 << 23;
    /** Float bits of 65536: at or above it (and from 65520 by rounding) a half overflows to Inf. */
    private static final int OVERFLOW = 143 << 23;
    private static final int F32_INFINITY = 0x7f800000;
    /** The exponent rebias (−112 in the exponent field) plus 0xfff, the round-half-down part of the 13 dropped bits. */
    private static final int NORMAL_REBIAS = (-112 << 23) + 0xfff;
    /** Float bits of 0.5: |x| + 0.5 holds a subnormal half's bits in its low mantissa. */
    private static final int HALF_BITS = 0x3f000000;

    private Half() {
    }

    /**
     * {@link #toFloat} of the 16 halves at {@code h[at..at+16)}, in 16 float lanes (the decode GEMV's F16 path; JDK 17's
     * Vector API has no half conversion). Not used by {@link F16Matrix#loadRow}: inside the GEMM's packing, inlined
     * into a large compile unit, C2 may not inline it and would box the result (the table is faster there). Exponent and mantissa shift into float position and one
     * multiplication by 2^112 rebiases the exponent, exactly, for normal and subnormal halves and zero alike; Inf
     * and NaN (exponent 31) take exponent 255 instead; then the sign. Same bits as {@link #toFloat} for all 65536
     * halves ({@code HalfTest}). Needs 512-bit vectors (callers check the float species has 16 lanes).
     */
    public static FloatVector toFloats(short[] h, int at) {
        IntVector s = (IntVector) ShortVector.fromArray(H16, h, at).convertShape(VectorOperators.S2I, I16, 0);
        IntVector em = s.and(0x7fff).lanewise(VectorOperators.LSHL, 13);
        IntVector finite = em.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        IntVector magnitude = finite.blend(em.or(0x7f800000), em.compare(VectorOperators.GE, SPECIAL));
        return magnitude.or(s.and(0x80000000)).reinterpretAsFloats();
    }

    /** {@link #toFloat} of {@code h[0..n)}: [n] floats (16 at a time through {@link #toFloats} with 512-bit vectors). */
    public static float[] toFloatArray(short[] h, int n) {
        float[] out = new float[n];
        int i = 0;
        if (WIDE) {
            for (; i + 16 <= n; i += 16) {
                toFloats(h, i).intoArray(out, i);
            }
        }
        for (; i < n; i++) {
            out[i] = toFloat(h[i]);
        }
        return out;
    }

    /**
     * {@code dst[at..at+n) = fromFloat(src[from..from+n))}, 16 values at a time with 512-bit vectors: the same bits as
     * {@link #fromFloat} for every float (Inf, NaN, overflow and subnormals included; {@code HalfTest}), branch-free.
     * Normal results: the exponent rebiased and the 13 dropped bits rounded to nearest even by one add of
     * {@code 0xfff + (the kept lowest bit)}; subnormal results: one float add of 0.5 lets the FPU round.
     */
    public static void toHalves(float[] src, int from, short[] dst, int at, int n) {
        int i = 0;
        if (WIDE) {
            for (; i + 16 <= n; i += 16) {
                IntVector u = FloatVector.fromArray(F16, src, from + i).reinterpretAsInts();
                IntVector a = u.and(0x7fffffff);
                IntVector normal = a.add(NORMAL_REBIAS).add(a.lanewise(VectorOperators.LSHR, 13).and(1))
                        .lanewise(VectorOperators.LSHR, 13);
                IntVector small = a.reinterpretAsFloats().add(0.5f).reinterpretAsInts().sub(HALF_BITS);
                IntVector h = normal.blend(small, a.compare(VectorOperators.LT, MIN_NORMAL))
                        .blend(0x7c00, a.compare(VectorOperators.GE, OVERFLOW))
                        .blend(0x7e00, a.compare(VectorOperators.GT, F32_INFINITY))
                        .or(u.and(0x80000000).lanewise(VectorOperators.LSHR, 16));
                ((ShortVector) h.convertShape(VectorOperators.I2S, H16, 0)).intoArray(dst, at + i);
            }
        }
        for (; i < n; i++) {
            dst[at + i] = fromFloat(src[from + i]);
        }
    }

    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        if (exp == 0) {
            if (mant == 0) {
                return Float.intBitsToFloat(sign);
            }
            // subnormal: value = mant * 2^-24
            float v = mant * 0x1p-24f;
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }

    /** Round-to-nearest-even float to half. */
    public static short fromFloat(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        if (abs >= 0x7f800000) {
            // Inf or NaN
            return (short) (sign | 0x7c00 | (abs > 0x7f800000 ? 0x200 : 0));
        }
        if (abs >= 0x477ff000) {
            // rounds to >= 65520: overflow to infinity
            return (short) (sign | 0x7c00);
        }
        if (abs < 0x38800000) {
            // below smallest normal half (2^-14): subnormal or zero
            if (abs < 0x33000000) {
                return (short) sign;
            }
            int e = abs >>> 23;
            int m = (abs & 0x7fffff) | 0x800000;
            int shift = 126 - e; // 14 - (e - 127) + 13 ... shift so that result = m >> (shift)
            int result = m >>> shift;
            int rem = m & ((1 << shift) - 1);
            int half = 1 << (shift - 1);
            if (rem > half || (rem == half && (result & 1) != 0)) {
                result++;
            }
            return (short) (sign | result);
        }
        int e = (abs >>> 23) - 112;
        int m = abs & 0x7fffff;
        int result = (e << 10) | (m >>> 13);
        int rem = m & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (result & 1) != 0)) {
            result++;
        }
        return (short) (sign | result);
    }

    public static float bf16ToFloat(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }
}
