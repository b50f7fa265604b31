package io.starspark.kernels.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorExp#exp(FloatVector)} for lanes x ≤ 0 (or −∞), as the online softmax needs for
 * {@code score − max}: the same polynomial and rounding, so the same bits (tested), with ~7 fewer
 * operations of the ~27. With x ≤ 0, n is in [−126, 0], so 2^n is one normal float and needs no
 * split, and no clamp is needed: lanes below −87.33 (−∞ included, whose arithmetic gives NaN) are
 * replaced by 0 at the end, as in {@link VectorExp}.
 */
final class NonPositiveExp {
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5·2^23: adding and subtracting it rounds to an integer
    private static final float MIN_X = -87.33654f;
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private NonPositiveExp() {
    }

    /** e^x per lane, for lanes x ≤ 0. */
    static FloatVector exp(FloatVector x) {
        VectorMask<Float> under = x.compare(VectorOperators.LT, MIN_X);
        FloatVector t = x.mul(LOG2E).add(ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(FloatVector.broadcast(S, -LN2_HI), x);
        r = n.fma(FloatVector.broadcast(S, -LN2_LO), r);
        FloatVector z = r.mul(r);
        FloatVector y = FloatVector.broadcast(S, 1.9875691500e-4f);
        y = y.fma(r, FloatVector.broadcast(S, 1.3981999507e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 8.3334519073e-3f));
        y = y.fma(r, FloatVector.broadcast(S, 4.1665795894e-2f));
        y = y.fma(r, FloatVector.broadcast(S, 1.6666665459e-1f));
        y = y.fma(r, FloatVector.broadcast(S, 5.0000001201e-1f));
        y = y.fma(z, r).add(1f);
        // 2^n from the low mantissa bits of t (n in two's complement), shifted into the exponent
        FloatVector pow = t.reinterpretAsInts().sub(ROUND_BITS - 127).lanewise(VectorOperators.LSHL, 23)
                .reinterpretAsFloats();
        return y.mul(pow).blend(0f, under);
    }
}
