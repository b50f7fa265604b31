package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class KvLayoutTest {
    @Test
    void invalidLayoutsSayWhatIsWrong() {
        assertEquals("kvHeads must be positive (got 0)", assertThrows(IllegalArgumentException.class,
                () -> new KvLayout(2, 0, 8, 16, KvDtype.F32)).getMessage());
        assertEquals("dtype must be F32 or F16 (got null)", assertThrows(IllegalArgumentException.class,
                () -> new KvLayout(2, 1, 8, 16, null)).getMessage());
        assertEquals(16, new KvLayout(2, 2, 8, 16, KvDtype.F16).rowFloats());
    }

    @Test
    void fingerprintNamesTheModelShapeOnly() {
        assertEquals("layers=5,kvHeads=4,headDim=8", new KvLayout(5, 4, 8, 64, KvDtype.F16).modelFingerprint());
        assertEquals("layers=5,kvHeads=4,headDim=8", new KvLayout(5, 4, 8, 16, KvDtype.F32).modelFingerprint());
    }

    @Test
    void f16RoundingIsWhatHalfStorageGivesBack() {
        assertEquals(1.0009765625f, KvDtype.F16.round(1.0006f)); // nearest half to 1.0006 is 1 + 2^-10
        assertEquals(1.0006f, KvDtype.F32.round(1.0006f));
    }
}
