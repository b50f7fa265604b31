package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.ReferenceKernels;
import io.starspark.kernels.Rope;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * rmsnorm, RoPE and SwiGLU split over the pool at prefill sizes (above {@link Parallel#MIN_PARALLEL_FLOPS}, several
 * SwiGLU spans and a tail that is not a multiple of the lane count): the bits of one thread on two, in place too,
 * and close to the reference.
 */
class ElementwiseSplitTest {
    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian() * 3;
        }
        return a;
    }

    private static void assertClose(float[] expect, float[] actual, String what) {
        assertEquals(expect.length, actual.length, what);
        for (int i = 0; i < expect.length; i++) {
            float tol = 1e-5f * Math.abs(expect[i]) + 1e-6f;
            assertTrue(Math.abs(expect[i] - actual[i]) <= tol, what + " at " + i + ": " + expect[i] + " vs " + actual[i]);
        }
    }

    @Test
    void rmsnormSplitsOverTokensWithTheSameBits() {
        Random r = new Random(21);
        int tokens = 700;
        int dim = 520; // 3 · 700 · 520 FLOPs > MIN_PARALLEL_FLOPS; 520 = 32 lanes · 16 + 8: a tail per token
        assertTrue(3L * tokens * dim >= Parallel.MIN_PARALLEL_FLOPS);
        float[] x = gaussian(r, tokens * dim);
        float[] w = gaussian(r, dim);
        try (JavaKernels one = new JavaKernels(1); JavaKernels two = new JavaKernels(2)) {
            float[] a = new float[x.length];
            float[] b = new float[x.length];
            one.rmsnorm(a, x, w, tokens, dim, 1e-5f);
            two.rmsnorm(b, x, w, tokens, dim, 1e-5f);
            assertArrayEquals(a, b);
            float[] in = x.clone();
            two.rmsnorm(in, in, w, tokens, dim, 1e-5f);
            assertArrayEquals(a, in, "in place");
            float[] ref = new float[x.length];
            new ReferenceKernels().rmsnorm(ref, x, w, tokens, dim, 1e-5f);
            assertClose(ref, b, "rmsnorm");
        }
    }

    @Test
    void swigluSplitsIntoLaneAlignedSpansWithTheSameBits() {
        Random r = new Random(22);
        int n = 11 * JavaKernels.SWIGLU_SPAN + 5; // 12 spans, the last with a scalar tail
        assertTrue(24L * n >= Parallel.MIN_PARALLEL_FLOPS);
        float[] gate = gaussian(r, n);
        float[] up = gaussian(r, n);
        try (JavaKernels one = new JavaKernels(1); JavaKernels two = new JavaKernels(2)) {
            float[] a = new float[n];
            float[] b = new float[n];
            one.swiglu(a, gate, up, n);
            two.swiglu(b, gate, up, n);
            assertArrayEquals(a, b);
            float[] in = gate.clone();
            two.swiglu(in, in, up, n); // out aliasing gate, as the forward pass calls it
            assertArrayEquals(a, in, "in place");
            float[] ref = new float[n];
            new ReferenceKernels().swiglu(ref, gate, up, n);
            assertClose(ref, b, "swiglu");
        }
    }

    @Test
    void ropeSplitsOverTokensWithTheSameBits() {
        Random r = new Random(23);
        int tokens = 300;
        int heads = 8;
        int headDim = 64;
        int[] positions = new int[tokens];
        for (int t = 0; t < tokens; t++) {
            positions[t] = 5000 + 3 * t;
        }
        for (Rope rope : new Rope[] {Rope.adjacent(headDim, 10000), new Rope(Rope.Style.NEOX, 48, 500000, null)}) {
            float[] x = gaussian(r, tokens * heads * headDim);
            try (JavaKernels one = new JavaKernels(1); JavaKernels two = new JavaKernels(2)) {
                float[] a = x.clone();
                float[] b = x.clone();
                one.rope(a, tokens, heads, headDim, positions, rope);
                two.rope(b, tokens, heads, headDim, positions, rope);
                assertArrayEquals(a, b, rope.toString());
                float[] ref = x.clone();
                new ReferenceKernels().rope(ref, tokens, heads, headDim, positions, rope);
                for (int i = 0; i < ref.length; i++) {
                    assertTrue(Math.abs(ref[i] - b[i]) <= 1e-4f * (Math.abs(ref[i]) + 1), rope + " at " + i);
                }
            }
        }
    }
}
