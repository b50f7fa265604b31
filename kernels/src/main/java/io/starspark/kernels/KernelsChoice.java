package io.starspark.kernels;

import java.util.Locale;

/**
 * Value of the setting {@link #KEY}: which kernel backend a JVM uses. The one definition of the choice;
 * the settings registry (workers), the CLI's {@code --kernels} and {@link KernelBackends} all use it.
 */
public enum KernelsChoice {
    /**
     * When OpenCL reports a GPU, {@link DeviceBlocksKernels}: prefill blocks device-resident on Aparapi, every other call
     * on java; otherwise java (OpenCL on a CPU, e.g. PoCL, is not faster than java).
     */
    AUTO,
    /** The tuned pure-Java CPU backend. */
    JAVA,
    /** Aparapi on the first OpenCL device, GPU or CPU; an error when OpenCL is missing. */
    APARAPI,
    /** The plain float64 reference twin (slow; for checks). */
    REFERENCE;

    /** The full setting key (the settings registry reads it under this name). */
    public static final String KEY = "spark.starspark.kernels";

    /** As written in settings and on the command line: {@code auto}, {@code java}, ... */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
