package io.starspark.kernels.aparapi;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;
import org.junit.jupiter.api.Assumptions;

/**
 * The Aparapi backend with the GPU's GEMM (local-memory tiles, 4×4 register blocks) forced on whatever device
 * OpenCL offers: on PoCL in CI this is the only run of the path GPUs take. Every call is checked to have run
 * on OpenCL (the backend throws otherwise).
 */
class AparapiTiledKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        Assumptions.assumeTrue(OpenClDevices.available(),
                "no OpenCL platform on this machine (clinfo -l lists none): Aparapi contract tests skipped");
        AparapiKernels k = AparapiKernels.createTiled();
        System.out.println("AparapiTiledKernelsTest on " + k.deviceName());
        return k;
    }
}
