package io.starspark.kernels.aparapi;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The launch check that no kernel holds one array in two fields (it needs no OpenCL device: it runs before one). */
class SharedArraysTest {
    @Test
    void oneArrayInTwoFieldsIsRefusedByName() {
        SwigluKernel k = new SwigluKernel();
        k.out = new float[8];
        k.gate = k.out;
        k.up = new float[8];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> AparapiKernels.checkNoSharedArrays(k));
        assertTrue(e.getMessage().contains("SwigluKernel holds one array in two fields, out and gate"), e.getMessage());
        k.gate = null;
        k.up = k.out;
        e = assertThrows(IllegalStateException.class, () -> AparapiKernels.checkNoSharedArrays(k));
        assertTrue(e.getMessage().contains("out and up"), e.getMessage());
    }

    @Test
    void distinctArraysNullsAndOneValuePlaceholdersPass() {
        SwigluKernel k = new SwigluKernel();
        k.out = new float[8];
        k.gate = new float[8];
        k.up = null;
        assertDoesNotThrow(() -> AparapiKernels.checkNoSharedArrays(k));
        float[] placeholder = new float[1];
        k.gate = placeholder;
        k.up = placeholder;
        assertDoesNotThrow(() -> AparapiKernels.checkNoSharedArrays(k));
        BlockKernel b = new BlockKernelCpu();
        b.x = new float[4];
        b.sc = b.x; // the fields BlockKernelCpu inherits are seen
        assertThrows(IllegalStateException.class, () -> AparapiKernels.checkNoSharedArrays(b));
    }
}
