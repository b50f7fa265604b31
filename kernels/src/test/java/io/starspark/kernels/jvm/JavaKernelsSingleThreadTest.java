package io.starspark.kernels.jvm;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;

/** The fast Java backend with a one-thread pool (the inline path, no fork/join). */
class JavaKernelsSingleThreadTest extends KernelsContract {
    @Override
    protected Kernels create() {
        return new JavaKernels(1);
    }
}
