package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The reference against hand-computed cases (and the contract, trivially, against itself). */
class ReferenceKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        return new ReferenceKernels();
    }

    @Test
    void matmulByHand() {
        float[] out = new float[4];
        // W = [[1,2],[3,4]], x = [[1,1],[2,-1]]
        ref.matmul(out, new float[] {1, 1, 2, -1}, new F32Matrix(new float[] {1, 2, 3, 4}, 2, 2), 2);
        assertArrayEquals(new float[] {3, 7, 0, 2}, out);
    }

    @Test
    void attentionOfOneKeyIsItsValue() {
        float[] q = {0.3f, -1f, 2f, 0.5f};
        float[] k = {1f, 2f, -0.5f, 4f};
        float[] v = {7f, -3f, 0.25f, 9f};
        float[] out = new float[4];
        float[] lse = new float[1];
        ref.attention(AttentionShape.full(1, 1, 1, 1, 4), q, k, v, out, lse);
        assertArrayEquals(v, out);
        double dot = 0.3 * 1 + -1 * 2 + 2 * -0.5 + 0.5 * 4;
        assertEquals(dot / 2, lse[0], 1e-6); // score = dot / sqrt(4), lse of one key = its score
    }

    @Test
    void attentionOfEqualScoresIsTheMean() {
        float[] q = {0f, 0f};
        float[] k = {1f, 2f, 3f, 4f, 5f, 6f};
        float[] v = {1f, 2f, 3f, 4f, 5f, 9f};
        float[] out = new float[2];
        float[] lse = new float[1];
        ref.attention(AttentionShape.full(1, 3, 1, 1, 2), q, k, v, out, lse);
        assertArrayEquals(new float[] {3f, 5f}, out, 1e-6f);
        assertEquals(Math.log(3), lse[0], 1e-6);
    }

    @Test
    void ropeAtPositionZeroIsIdentity() {
        float[] x = random(2 * 3 * 8, 1);
        float[] y = x.clone();
        ref.rope(y, 2, 3, 8, new int[] {0, 0}, Rope.adjacent(8, 10000.0));
        assertArrayEquals(x, y);
    }

    @Test
    void ropeAtOneMillionMatchesTheFormula() {
        int pos = 1_000_000;
        float[] x = {1f, 0f, 0f, 1f, 0.5f, -2f, 3f, 4f};
        float[] y = x.clone();
        ref.rope(y, 1, 1, 8, new int[] {pos}, Rope.adjacent(8, 500000.0));
        for (int i = 0; i < 8; i += 2) {
            // angle = pos / theta^(i/d), written as exp(-i/d · ln theta)
            double angle = pos * Math.exp(-(i / 8.0) * Math.log(500000.0));
            double a = x[i];
            double b = x[i + 1];
            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), y[i], 1e-6);
            assertEquals(a * Math.sin(angle) + b * Math.cos(angle), y[i + 1], 1e-6);
        }
    }

    @Test
    void neoxRopeRotatesHalvesWithFrequencyFactors() {
        // head dim 8, rotary dim 6: pairs (0,3), (1,4), (2,5); dims 6, 7 untouched
        int pos = 123_457;
        float[] factors = {1f, 2.5f, 8f};
        Rope rope = new Rope(Rope.Style.NEOX, 6, 500000.0, factors);
        float[] x = {1f, -2f, 0.5f, 3f, 4f, -1f, 7f, 9f};
        float[] y = x.clone();
        ref.rope(y, 1, 1, 8, new int[] {pos}, rope);
        for (int i = 0; i < 3; i++) {
            double angle = pos * Math.exp(-(2 * i / 6.0) * Math.log(500000.0)) / factors[i];
            double a = x[i];
            double b = x[i + 3];
            assertEquals(a * Math.cos(angle) - b * Math.sin(angle), y[i], 1e-6);
            assertEquals(a * Math.sin(angle) + b * Math.cos(angle), y[i + 3], 1e-6);
        }
        assertEquals(7f, y[6]);
        assertEquals(9f, y[7]);
    }

    @Test
    void ropeRejectsBadSettings() {
        assertThrows(IllegalArgumentException.class, () -> new Rope(Rope.Style.NEOX, 7, 10000.0, null));
        assertThrows(IllegalArgumentException.class, () -> new Rope(Rope.Style.NEOX, 8, 10000.0, new float[3]));
        assertThrows(IllegalArgumentException.class,
            () -> new Rope(Rope.Style.NEOX, 4, 10000.0, new float[] {1f, 0f}));
        assertThrows(IllegalArgumentException.class, () -> Rope.adjacent(16, 10000.0).requireFits(8));
    }

    @Test
    void smallByHand() {
        float[] out = new float[2];
        ref.rmsnorm(out, new float[] {3f, 4f}, new float[] {1f, 2f}, 1, 2, 0f);
        double rms = Math.sqrt(12.5);
        assertArrayEquals(new float[] {(float) (3 / rms), (float) (8 / rms)}, out, 1e-6f);
        float[] s = new float[2];
        ref.swiglu(s, new float[] {0f, 2f}, new float[] {5f, 3f}, 2);
        assertArrayEquals(new float[] {0f, (float) (2 / (1 + Math.exp(-2)) * 3)}, s, 1e-6f);
        float[] scores = new float[1];
        // q = [1, -2]; page min = [0, -1], max = [2, 3]: max(0,2) + max(2,-6) = 4
        ref.scorePages(new float[] {1f, -2f}, new float[] {0f, -1f}, new float[] {2f, 3f}, scores, 1, 1, 1, 1, 2);
        assertEquals(4f, scores[0]);
    }
}
