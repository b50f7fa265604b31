package io.starspark.kernels.aparapi;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;
import org.junit.jupiter.api.Assumptions;

/**
 * The Aparapi backend against the reference. Every call is checked to have run on OpenCL (the
 * backend throws otherwise). Skipped only when the machine has no OpenCL platform at all.
 */
class AparapiKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): Aparapi contract tests skipped");
        AparapiKernels k = AparapiKernels.create();
        System.out.println("AparapiKernelsTest on " + k.deviceName());
        return k;
    }
}
