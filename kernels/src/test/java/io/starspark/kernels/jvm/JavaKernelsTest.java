package io.starspark.kernels.jvm;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;

/** The fast Java backend against the reference, on two threads (as on CI) so splits are exercised. */
class JavaKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        return new JavaKernels(2);
    }
}
