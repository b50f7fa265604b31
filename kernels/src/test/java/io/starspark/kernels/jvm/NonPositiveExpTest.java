package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class NonPositiveExpTest {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** Same bits as {@link VectorExp} on a dense sweep of [−100, 0], random points and the edges. */
    @Test
    void givesTheSameBitsAsVectorExpForNonPositiveInputs() {
        long seed = 11;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        float[] edges = {0f, -0f, Float.NEGATIVE_INFINITY, -87.33654f, Math.nextDown(-87.33654f),
            Math.nextUp(-87.33654f), -87.3f, -86.64f, -1e-30f, -Float.MIN_VALUE, -0.3465736f, -100f};
        float[] x = new float[S.length()];
        for (int i = 0; i < edges.length; i++) {
            x[i % x.length] = edges[i];
            if (i % x.length == x.length - 1 || i == edges.length - 1) {
                check(x);
            }
        }
        for (float v = -100f; v <= 0f; v += 0.00731f) {
            for (int i = 0; i < x.length; i++) {
                x[i] = Math.min(0f, v + i * 1e-4f);
            }
            check(x);
        }
        for (int n = 0; n < 20000; n++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = -90f * r.nextFloat();
            }
            check(x);
        }
    }

    private static void check(float[] x) {
        float[] want = new float[x.length];
        float[] got = new float[x.length];
        VectorExp.exp(FloatVector.fromArray(S, x, 0)).intoArray(want, 0);
        NonPositiveExp.exp(FloatVector.fromArray(S, x, 0)).intoArray(got, 0);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(want[i]), Float.floatToRawIntBits(got[i]), "exp(" + x[i] + ")");
        }
    }
}
