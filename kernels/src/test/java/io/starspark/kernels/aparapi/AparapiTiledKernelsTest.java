package io.starspark.kernels.aparapi;

/**
 * The Aparapi backend with the GPU's paths (tiled GEMM with local-memory tiles and 4×4 register blocks, flash
 * attention with local K/V tiles) forced on whatever device OpenCL offers: on PoCL in CI this is the only run of
 * the code GPUs take. Same contract, same residency checks as {@link AparapiKernelsTest}.
 */
class AparapiTiledKernelsTest extends AparapiKernelsTest {
    @Override
    protected AparapiKernels backend() {
        return AparapiKernels.createTiled();
    }
}
