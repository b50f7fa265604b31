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

    @Test
    void javaBackendPerThreadCountForSparkTasks() {
        Kernels one = KernelBackends.select("java", 1);
        assertSame(one, KernelBackends.select("JAVA", 1));
        assertEquals(1, ((io.starspark.kernels.jvm.JavaKernels) one).threads());
        Kernels two = KernelBackends.select("java", 2);
        assertEquals(2, ((io.starspark.kernels.jvm.JavaKernels) two).threads());
        assertSame(KernelBackends.select("reference", 1), KernelBackends.select("reference", 2),
                "thread count does not split the reference backend");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KernelBackends.select("java", 0));
        assertEquals("kernel threads must be positive (got 0)", e.getMessage());
    }
}
