package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** binary16 conversions: exhaustive round trip, and round-to-nearest-even against exact arithmetic. */
class HalfTest {
    @Test
    void everyHalfRoundTrips() {
        for (int h = 0; h < 65536; h++) {
            float f = Half.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertTrue(Float.isNaN(Half.toFloat(Half.fromFloat(f))), "NaN stays NaN for " + h);
                continue;
            }
            assertEquals((short) h, Half.fromFloat(f), "round trip of half bits 0x" + Integer.toHexString(h));
        }
    }

    /**
     * {@link Half#toHalves} gives {@link Half#fromFloat}'s bits for every half's value, its neighbours one float ulp
     * away, every midpoint between two adjacent halves (the ties) and the floats one ulp either side of it, the
     * specials, and random floats of every exponent; n not a multiple of 16, so the scalar tail runs too.
     */
    @Test
    void vectorRoundingEqualsScalar() {
        float[] xs = new float[65536 * 6 + 200_003];
        int n = 0;
        for (int h = 0; h < 65536; h++) {
            float f = Half.toFloat((short) h);
            float g = Half.toFloat((short) (h + 1));
            xs[n++] = f;
            xs[n++] = Math.nextUp(f);
            xs[n++] = Math.nextDown(f);
            float mid = Float.isFinite(f) && Float.isFinite(g) && (h & 0x7fff) != 0x7fff ? (f + g) / 2 : f;
            xs[n++] = mid;
            xs[n++] = Math.nextUp(mid);
            xs[n++] = Math.nextDown(mid);
        }
        SplittableRandom r = new SplittableRandom(7);
        while (n < xs.length) {
            xs[n++] = Float.intBitsToFloat(r.nextInt());
        }
        xs[5] = 65520f;
        xs[6] = 65519.996f;
        xs[7] = Float.MIN_VALUE;
        xs[8] = -0f;
        xs[9] = Float.NaN;
        xs[10] = Float.NEGATIVE_INFINITY;
        short[] got = new short[xs.length + 3];
        Half.toHalves(xs, 0, got, 3, xs.length);
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Half.fromFloat(xs[i]), got[3 + i], "float bits 0x" + Integer.toHexString(Float.floatToRawIntBits(xs[i])));
        }
    }

    /** The 16-lane conversion gives {@link Half#toFloat}'s bits (NaN payloads and signed zeros included) for every half. */
    @Test
    void vectorConversionEqualsScalarForEveryHalf() {
        short[] all = new short[65536];
        for (int h = 0; h < all.length; h++) {
            all[h] = (short) h;
        }
        float[] got = new float[16];
        for (int at = 0; at < all.length; at += 16) {
            Half.toFloats(all, at).intoArray(got, 0);
            for (int i = 0; i < 16; i++) {
                assertEquals(Float.floatToRawIntBits(Half.toFloat(all[at + i])), Float.floatToRawIntBits(got[i]),
                        "half bits 0x" + Integer.toHexString(at + i));
            }
        }
    }

    @Test
    void knownValues() {
        assertEquals(1f, Half.toFloat((short) 0x3c00));
        assertEquals(65504f, Half.toFloat((short) 0x7bff));
        assertEquals(0x1p-24f, Half.toFloat((short) 0x0001)); // smallest subnormal
        assertEquals(0x1p-14f, Half.toFloat((short) 0x0400)); // smallest normal
        assertEquals(-2f, Half.toFloat((short) 0xc000));
        assertEquals((short) 0x7c00, Half.fromFloat(65520f)); // rounds up to infinity
        assertEquals((short) 0x7bff, Half.fromFloat(65519f));
        assertEquals((short) 0x0000, Half.fromFloat(0x1p-25f)); // tie to even (zero)
        assertEquals((short) 0x0001, Half.fromFloat(0x1.0p-25f * 1.01f));
        assertEquals(1f, Half.bf16ToFloat((short) 0x3f80));
    }

    @Test
    void roundsToNearestEven() {
        long seed = Long.getLong("starspark.test.seed", 20261203L);
        System.out.println("HalfTest seed=" + seed);
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            // magnitudes from deep subnormal to past the largest half
            float f = (float) ((rnd.nextBoolean() ? 1 : -1) * Math.pow(2, rnd.nextDouble() * 46 - 30));
            short h = Half.fromFloat(f);
            double got = Half.toFloat(h);
            double err = Math.abs(got - f);
            int bits = h & 0x7fff;
            if (bits == 0x7c00) {
                assertTrue(Math.abs(f) >= 65520f, "only values >= 65520 overflow, got inf for " + f + " seed " + seed);
                continue;
            }
            // neighbours of the result in magnitude
            for (int n : new int[] {bits - 1, bits + 1}) {
                if (n < 0 || n >= 0x7c00) {
                    continue;
                }
                double other = Math.copySign(Half.toFloat((short) n), f);
                double otherErr = Math.abs(other - f);
                assertTrue(err < otherErr || (err == otherErr && (bits & 1) == 0),
                        f + " → 0x" + Integer.toHexString(h & 0xffff) + " is not the nearest-even half (seed " + seed + ")");
            }
        }
    }
}
