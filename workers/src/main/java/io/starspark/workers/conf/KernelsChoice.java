package io.starspark.workers.conf;

/** Value of {@code spark.starspark.kernels}: which kernel backend a JVM uses. */
public enum KernelsChoice {
    /** Aparapi when an OpenCL device is present, otherwise the pure-Java backend. */
    AUTO,
    /** The tuned pure-Java CPU backend. */
    JAVA,
    /** Aparapi on OpenCL; fails when no OpenCL device exists. */
    APARAPI,
    /** The plain float64 reference twin (slow; for checks). */
    REFERENCE
}
