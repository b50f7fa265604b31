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
        assertSame(KernelBackends.select(KernelsChoice.JAVA), KernelBackends.select(KernelsChoice.JAVA));
        assertEquals("java", KernelBackends.select(KernelsChoice.JAVA).name());
        assertEquals("reference", KernelBackends.select(KernelsChoice.REFERENCE).name());
    }

    @Test
    void autoPicksOpenClOnlyForAGpu() {
        // on a GPU: device-resident prefill blocks, every other call on java (DeviceBlocksKernels)
        String expected = OpenClDevices.hasGpu() ? "aparapi-opencl-blocks+java" : "java";
        assertEquals(expected, KernelBackends.select(KernelsChoice.AUTO).name());
    }

    @Test
    void aparapiIsOpenClOrAClearError() {
        if (OpenClDevices.available()) {
            assertEquals("aparapi-opencl", KernelBackends.select(KernelsChoice.APARAPI).name());
        } else {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelBackends.select(KernelsChoice.APARAPI));
            assertTrue(e.getMessage().contains("OpenCL"), e.getMessage());
        }
    }

    @Test
    void choicesAreWrittenLowerCaseAsSettingsAndTheCliTakeThem() {
        assertEquals("auto java aparapi reference", String.join(" ",
                java.util.Arrays.stream(KernelsChoice.values()).map(KernelsChoice::toString).toList()));
    }

    @Test
    void javaBackendPerThreadCountForSparkTasks() {
        Kernels one = KernelBackends.select(KernelsChoice.JAVA, 1);
        assertSame(one, KernelBackends.select(KernelsChoice.JAVA, 1));
        assertEquals(1, ((io.starspark.kernels.jvm.JavaKernels) one).threads());
        Kernels two = KernelBackends.select(KernelsChoice.JAVA, 2);
        assertEquals(2, ((io.starspark.kernels.jvm.JavaKernels) two).threads());
        assertSame(KernelBackends.select(KernelsChoice.REFERENCE, 1), KernelBackends.select(KernelsChoice.REFERENCE, 2),
                "thread count does not split the reference backend");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> KernelBackends.select(KernelsChoice.JAVA, 0));
        assertEquals("kernel threads must be positive (got 0)", e.getMessage());
    }
}
