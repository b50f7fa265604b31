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
