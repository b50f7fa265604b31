package io.starspark.model;

import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class KvCacheTest {
    @Test
    void growsAndSlicesRows() {
        KvCache c = new KvCache(2, 2, 3, 1); // row = 6 floats
        for (int t = 0; t < 10; t++) {
            float[] k = new float[6];
            float[] v = new float[6];
            Arrays.fill(k, t);
            Arrays.fill(v, -t);
            c.append(0, k, v, 1);
            c.append(1, k, v, 1);
        }
        assertEquals(10, c.length());
        KvCache s = c.slice(3, 7);
        assertEquals(4, s.length());
        assertArrayEquals(Arrays.copyOfRange(c.keys(1), 18, 42), Arrays.copyOf(s.keys(1), 24));
        assertArrayEquals(Arrays.copyOfRange(c.values(0), 18, 42), Arrays.copyOf(s.values(0), 24));
        assertEquals(3f, s.keys(0)[0]);
        assertThrows(IllegalArgumentException.class, () -> c.slice(5, 11));
    }
}
