package io.starspark.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A vectorized e^x built only from IEEE-exact lane operations (add, mul, fma, conversions), so it gives
 * bit-identical results interpreted and JIT-compiled. {@code lanewise(VectorOperators.EXP)} does not:
 * the JIT swaps in an intrinsic whose last bits differ from the interpreter's, which made the same
 * Star block produce different K/V bytes on a task retry.
 *
 * <p>Cephes {@code expf}: x = n·ln2 + r with |r| ≤ ln2/2, e^r by a degree-6 polynomial, times 2^n built
 * from the exponent bits. Max relative error ≈ 2 ulp; e^x is 0 below −87.33 (float underflow).
 */
final class VectorExp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding and subtracting it rounds to an integer
    private static final float MIN_X = -87.33654f;
    private static final float MAX_X = 88.72283f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private VectorExp() {
    }

    static FloatVector exp(FloatVector x, VectorSpecies<Float> s) {
        return exp(x);
    }

    /**
     * e^x per lane of a {@link FloatVector#SPECIES_PREFERRED} vector. Every species is a constant and
     * n is read from the bits of {@code t = x·log2e + 1.5·2^23} (low mantissa bits = n in two's
     * complement) instead of a float→int conversion, which C2 in JDK 17 does not intrinsify for 16
     * lanes: with it the whole method fell back to boxed per-lane Java code (~40x slower).
     */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_X);
        FloatVector xc = x.max(MIN_X).min(MAX_X);
        FloatVector t = xc.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), xc);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector y = FloatVector.broadcast(S, 1.9875691500e-4f);
        y = y.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        y = y.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        y = y.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        y = y.fma(z, r).add(1f);
        // n in [-126, 128]: split 2^n = 2^(n/2) · 2^(n - n/2) so both factors are normal floats
        IntVector ni = t.reinterpretAsInts().sub(ROUND_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector p1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector p2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(p1).mul(p2).blend(0f, under);
    }

    /** The scalar twin, same operations in the same order (for tails and tests). */
    static float exp(float x) {
        if (x < MIN_X) {
            return 0f;
        }
        float xc = Math.min(Math.max(x, MIN_X), MAX_X);
        float n = (xc * LOG2E + ROUND) - ROUND;
        float r = Math.fma(n, -LN2_HI, xc);
        r = Math.fma(n, -LN2_LO, r);
        float z = r * r;
        float y = 1.9875691500e-4f;
        y = Math.fma(y, r, 1.3981999507e-3f);
        y = Math.fma(y, r, 8.3334519073e-3f);
        y = Math.fma(y, r, 4.1665795894e-2f);
        y = Math.fma(y, r, 1.6666665459e-1f);
        y = Math.fma(y, r, 5.0000001201e-1f);
        y = Math.fma(y, z, r) + 1f;
        int ni = (int) n;
        int half = ni >> 1;
        return y * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
    }
}
