package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.aparapi.OpenClDevices;
import org.junit.jupiter.api.Test;

class KernelBackendsTest {
    @Test
    void choicesAreCachedPerJvm() {
        assertSame(KernelBackends.select("java"), KernelBackends.select("JAVA"));
        assertEquals("java", KernelBackends.select("java").name());
        assertEquals("reference", KernelBackends.select("reference").name());
    }

    @Test
    void autoPicksOpenClOnlyForAGpu() {
        String expected = OpenClDevices.hasGpu() ? "aparapi-opencl" : "java";
        assertEquals(expected, KernelBackends.select("auto").name());
    }

    @Test
    void aparapiIsOpenClOrAClearError() {
        if (OpenClDevices.available()) {
            assertEquals("aparapi-opencl", KernelBackends.select("aparapi").name());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelBackends.select("aparapi"));
            assertTrue(e.getMessage().contains("OpenCL"), e.getMessage());
        }
    }

    @Test
    void unknownChoiceListsTheValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelBackends.select("cuda"));
        assertTrue(e.getMessage().contains("auto, java, aparapi, reference"), e.getMessage());
    }
}
