package io.starspark.kernels.jvm;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;

/**
 * The one JIT setting the Vector API kernels depend on. C2 (JDK 17) sums the trap counts recorded in every method it
 * inlines into one total per compile; past {@code -XX:PerMethodTrapLimit} (default 100) it compiles the rest of the
 * method with virtual calls instead of guarded inlines, the vector species stop being constants, and the Vector API
 * intrinsics after that point fail: the kernel then boxes every vector and runs the API's Java fallback. A kernel
 * that inlines {@link VectorExp#exp} (swiglu, the attention's rescale) reached a total of 163 once other kernels had
 * deoptimized a few times, and its store fell back in 4 of 6 JVMs (bench/README.md). {@code conf/jvm-flags} raises
 * the limit for every JVM starspark starts; a JVM started otherwise (an application's own Spark session) is told.
 */
public final class JitCheck {
    /** What conf/jvm-flags sets. */
    public static final long TRAP_LIMIT = 10_000;
    /** Below this the kernels' compiles can cross the limit (163 measured; the JDK's default is 100). */
    static final long MIN_TRAP_LIMIT = 1_000;

    private JitCheck() {
    }

    /** A warning for this JVM's C2 trap limit, or null when it suffices or the JVM has no such option. */
    public static String warning() {
        String value;
        try {
            value = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("PerMethodTrapLimit").getValue();
        } catch (RuntimeException notHotSpot) { // IllegalArgumentException: no such option; a JVM without the bean
            return null;
        }
        return warning(value);
    }

    /** {@link #warning()} for the option's value as the JVM reports it (null: no such option). */
    static String warning(String perMethodTrapLimit) {
        if (perMethodTrapLimit == null || Long.parseLong(perMethodTrapLimit) >= MIN_TRAP_LIMIT) {
            return null;
        }
        return "this JVM runs with -XX:PerMethodTrapLimit=" + perMethodTrapLimit + ": C2 may fail to compile the java"
                + " kernels' vector code (several times slower in some JVMs); start it with -XX:PerMethodTrapLimit="
                + TRAP_LIMIT + " as conf/jvm-flags does";
    }
}
