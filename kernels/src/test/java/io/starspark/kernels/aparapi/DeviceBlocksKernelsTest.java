package io.starspark.kernels.aparapi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.DeviceBlocksKernels;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kernels.jvm.JavaKernels;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What {@code kernels=auto} gives on a GPU: Aparapi's device-resident block forward, every per-op call on the java
 * backend. The contract suite, and that the per-op calls never touch the device.
 */
class DeviceBlocksKernelsTest extends KernelsContract {
    private AparapiKernels device;

    @Override
    protected Kernels create() {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): device-blocks contract tests skipped");
        device = AparapiKernels.create();
        return new DeviceBlocksKernels(device, new JavaKernels(2));
    }

    @Test
    void perOpCallsRunOnTheHostAndBlocksAreTheDevices() {
        DeviceBlocksKernels k = (DeviceBlocksKernels) kernels;
        assertEquals("aparapi-opencl-blocks+java", k.name());
        assertSame(device.blockForward().orElseThrow(), k.blockForward().orElseThrow());
        AparapiKernels.Traffic before = device.traffic();
        float[] out = new float[3 * 5];
        k.matmul(out, random(3 * 4, 1), new F32Matrix(random(5 * 4, 1), 5, 4), 3);
        k.rmsnorm(out, out, random(5, 1), 3, 5, 1e-5f);
        k.swiglu(out, out, random(15, 1), 15);
        assertEquals(before, device.traffic(), "no per-op call moved a byte to or from the device");
    }

    @Test
    void aBackendWithoutBlocksIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DeviceBlocksKernels(new ReferenceKernels(), new JavaKernels(1)));
        assertTrue(e.getMessage().contains("reference has no device-resident block forward"), e.getMessage());
    }
}
