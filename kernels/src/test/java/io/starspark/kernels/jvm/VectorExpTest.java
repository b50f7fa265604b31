package io.starspark.kernels.jvm;

import static io.starspark.kernels.jvm.Gaussians.gaussian;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.junit.jupiter.api.Test;

class VectorExpTest {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Test
    void matchesMathExpWithinTwoUlpsAndVectorEqualsScalarTwin() {
        float[] x = new float[S.length()];
        float maxRel = 0;
        for (float v = -87f; v < 88f; v += 0.0173f) {
            for (int i = 0; i < x.length; i++) {
                x[i] = v + i * 1e-3f;
            }
            float[] y = new float[x.length];
            VectorExp.exp(FloatVector.fromArray(S, x, 0), S).intoArray(y, 0);
            for (int i = 0; i < x.length; i++) {
                assertEquals(Float.floatToIntBits(VectorExp.exp(x[i])), Float.floatToIntBits(y[i]), "lane vs scalar at " + x[i]);
                double exact = Math.exp(x[i]);
                maxRel = (float) Math.max(maxRel, Math.abs(y[i] - exact) / exact);
            }
        }
        assertTrue(maxRel < 3e-7, "max relative error " + maxRel);
        assertEquals(0f, VectorExp.exp(-100f));
        assertEquals(0f, VectorExp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(1f, VectorExp.exp(0f));
    }

    /** The lowest input still computed (about the smallest normal float) is computed; one ulp below is 0. */
    @Test
    void theUnderflowCutIsExclusive() {
        float min = -87.33654f;
        double exact = Math.exp(min);
        assertEquals(exact, VectorExp.exp(min), 3e-7 * exact, "exp at the cut");
        assertEquals(0f, VectorExp.exp(Math.nextDown(min)));
    }

    /**
     * The same call must give the same bits before and after the JIT compiles the kernels: a retried
     * Spark task must rewrite identical K/V. (Vector API EXP failed this within a few calls.)
     */
    @Test
    void attentionAndSwigluAreBitwiseRepeatableAcrossJitTiers() {
        long seed = 42;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int t = 40;
        int keys = 300;
        AttentionShape shape = AttentionShape.causal(t, keys, 8, 4, 8);
        float[] q = gaussian(r, t * 8 * 8);
        float[] k = gaussian(r, keys * 4 * 8);
        float[] v = gaussian(r, keys * 4 * 8);
        float[] gate = gaussian(r, 1000);
        float[] up = gaussian(r, 1000);
        try (JavaKernels kernels = new JavaKernels(2)) {
            float[] out0 = new float[t * 8 * 8];
            float[] lse0 = new float[t * 8];
            float[] sw0 = new float[1000];
            kernels.attention(shape, q, k, v, out0, lse0);
            kernels.swiglu(sw0, gate, up, 1000);
            for (int i = 0; i < 3000; i++) {
                float[] out = new float[out0.length];
                float[] lse = new float[lse0.length];
                float[] sw = new float[1000];
                kernels.attention(shape, q, k, v, out, lse);
                kernels.swiglu(sw, gate, up, 1000);
                assertArrayEquals(out0, out, "attention output, call " + i);
                assertArrayEquals(lse0, lse, "attention lse, call " + i);
                assertArrayEquals(sw0, sw, "swiglu, call " + i);
            }
        }
    }
}
