package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ArrayAlignmentTest {
    /**
     * The decoded address is the element's: the float read from it through Unsafe is the array's, and the offset
     * lands on a 64-byte line, for arrays of many sizes (so at every 8-byte placement the heap gives them).
     */
    @Test
    void offsetPointsAtTheElementOnALine() {
        assertTrue(ArrayAlignment.known(), "HotSpot 17 on x86-64: array addresses are known");
        sun.misc.Unsafe unsafe = ArrayAlignment.UNSAFE;
        int[] seen = new int[16];
        for (int n = 16; n < 16 + 64; n++) {
            float[] a = new float[n];
            for (int i = 0; i < n; i++) {
                a[i] = i + 0.5f;
            }
            int off = ArrayAlignment.floatsToLine(a);
            assertTrue(off >= 0 && off < 16, "offset " + off);
            long at = ArrayAlignment.elementAddress(a, off);
            assertEquals(0, at & 63, "a[" + off + "] starts a 64-byte line");
            assertEquals(off + 0.5f, unsafe.getFloat(at), "the float at the decoded address is a[" + off + "]");
            assertEquals(n - 0.5f, unsafe.getFloat(ArrayAlignment.elementAddress(a, n - 1)));
            seen[off]++;
        }
        int placements = 0;
        for (int c : seen) {
            placements += c > 0 ? 1 : 0;
        }
        assertTrue(placements >= 2, "arrays of 64 sizes fell at more than one offset from a line");
    }
}
