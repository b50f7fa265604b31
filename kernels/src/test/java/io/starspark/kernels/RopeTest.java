package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The rope settings as they enter the kernels: checked with messages, pairs and frequencies as llama.cpp has them. */
class RopeTest {

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    @Test
    void badSettingsSayWhatIsWrong() {
        assertEquals("rope style must be given", error(() -> new Rope(null, 8, 1e4, null)));
        assertEquals("rotaryDim must be even and >= 2 (got 7)", error(() -> new Rope(Rope.Style.NEOX, 7, 1e4, null)));
        assertEquals("rotaryDim must be even and >= 2 (got 0)", error(() -> Rope.adjacent(0, 1e4)));
        assertEquals("rotaryDim must be even and >= 2 (got -2)", error(() -> Rope.adjacent(-2, 1e4)));
        assertEquals(1, Rope.adjacent(2, 1e4).pairs(), "2 is the smallest rotary dim");
        assertEquals("rope theta must be positive and finite (got 0.0)", error(() -> Rope.adjacent(8, 0)));
        assertEquals("rope theta must be positive and finite (got NaN)", error(() -> Rope.adjacent(8, Double.NaN)));
        assertEquals("rope theta must be positive and finite (got Infinity)",
                error(() -> Rope.adjacent(8, Double.POSITIVE_INFINITY)));
        assertEquals("rope frequency factors need rotaryDim/2 = 4 entries (got 3)",
                error(() -> new Rope(Rope.Style.NEOX, 8, 1e4, new float[3])));
        assertEquals("rope frequency factors must be positive and finite (got 0.0)",
                error(() -> new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {1f, 0f})));
        assertEquals("rope frequency factors must be positive and finite (got Infinity)",
                error(() -> new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {Float.POSITIVE_INFINITY, 1f})));
        assertEquals("rope frequency factors must be positive and finite (got NaN)",
                error(() -> new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {1f, Float.NaN})));
        assertEquals("rotaryDim 16 exceeds headDim 8", error(() -> Rope.adjacent(16, 1e4).requireFits(8)));
        Rope.adjacent(8, 1e4).requireFits(8);
    }

    @Test
    void pairsAndFrequencies() {
        Rope adjacent = Rope.adjacent(8, 10000.0);
        Rope neox = new Rope(Rope.Style.NEOX, 6, 500000.0, new float[] {1f, 2.5f, 8f});
        assertEquals(4, adjacent.pairs());
        assertEquals(3, neox.pairs());
        for (int i = 0; i < 4; i++) {
            assertEquals(2 * i, adjacent.first(i));
            assertEquals(2 * i + 1, adjacent.second(i));
            assertEquals(Math.exp(-(2 * i / 8.0) * Math.log(10000.0)), adjacent.frequency(i), 1e-15);
        }
        float[] f = {1f, 2.5f, 8f};
        for (int i = 0; i < 3; i++) {
            assertEquals(i, neox.first(i));
            assertEquals(i + 3, neox.second(i));
            assertEquals(Math.exp(-(2 * i / 6.0) * Math.log(500000.0)) / f[i], neox.frequency(i), 1e-15);
        }
    }

    @Test
    void equalByValueFactorsIncluded() {
        float[] factors = {1f, 2f};
        Rope a = new Rope(Rope.Style.NEOX, 4, 1e4, factors);
        factors[0] = 9f; // the record keeps its own copy
        Rope b = new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {1f, 2f});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertEquals(1f, a.freqFactors()[0]);
        assertNotEquals(a, new Rope(Rope.Style.ADJACENT, 4, 1e4, new float[] {1f, 2f}));
        assertNotEquals(a, new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {1f, 3f}));
        assertNotEquals(a, new Rope(Rope.Style.NEOX, 4, 1e4, null));
        assertNotEquals(a, new Rope(Rope.Style.NEOX, 4, 2e4, new float[] {1f, 2f}));
        assertNotEquals(a, new Rope(Rope.Style.NEOX, 6, 1e4, new float[] {1f, 2f, 3f}));
        assertNotEquals(a, "Rope");
        assertEquals(Rope.adjacent(8, 1e4), Rope.adjacent(8, 1e4));
        assertNotEquals(Rope.adjacent(8, 1e4).hashCode(), Rope.adjacent(8, 2e4).hashCode());
        assertNotEquals(Rope.adjacent(8, 1e4).hashCode(), Rope.adjacent(6, 1e4).hashCode());
        assertNotEquals(Rope.adjacent(8, 1e4).hashCode(), new Rope(Rope.Style.NEOX, 8, 1e4, null).hashCode());
        assertNotEquals(a.hashCode(), new Rope(Rope.Style.NEOX, 4, 1e4, new float[] {1f, 3f}).hashCode());
        assertEquals("Rope[NEOX, rotaryDim=4, theta=10000.0, freqFactors=[1.0, 2.0]]", a.toString());
        assertEquals("Rope[ADJACENT, rotaryDim=8, theta=500000.0]", Rope.adjacent(8, 500000.0).toString());
    }
}
