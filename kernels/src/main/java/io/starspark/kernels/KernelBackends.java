package io.starspark.kernels;

import io.starspark.kernels.aparapi.AparapiKernels;
import io.starspark.kernels.aparapi.OpenClDevices;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.kernels.jvm.JitCheck;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the kernel backend (setting {@link KernelsChoice#KEY}), once per JVM per choice, and says so
 * loudly. Never falls back silently: asking for aparapi on a machine without OpenCL is an error.
 */
public final class KernelBackends {
    private static final String SETTING = KernelsChoice.KEY;
    private static final Logger LOG = LoggerFactory.getLogger(KernelBackends.class);
    private static final Map<String, Kernels> CHOSEN = new ConcurrentHashMap<>();

    private KernelBackends() {
    }

    /** The JVM-wide backend for {@code choice}, on all cores, created on first use. */
    public static Kernels select(KernelsChoice choice) {
        return select(choice, Runtime.getRuntime().availableProcessors());
    }

    /**
     * The JVM-wide backend for {@code choice} whose CPU kernels use {@code threads} threads. Spark tasks
     * pass their task CPUs (usually 1): an executor already runs one task per core, and kernels on all
     * cores in every task would oversubscribe the machine.
     */
    public static Kernels select(KernelsChoice choice, int threads) {
        java.util.Objects.requireNonNull(choice, "choice");
        if (threads < 1) {
            throw new IllegalArgumentException("kernel threads must be positive (got " + threads + ")");
        }
        // thread count matters to the java backend only (auto on a GPU: its per-op calls); one aparapi and one
        // reference instance per JVM
        boolean usesThreads = choice == KernelsChoice.JAVA || choice == KernelsChoice.AUTO;
        return shared(usesThreads ? choice + "/" + threads : choice.toString(), () -> create(choice, threads));
    }

    /** The backend kept under {@code key}, made now if there is none (under the class lock). */
    private static Kernels shared(String key, Supplier<Kernels> make) {
        synchronized (KernelBackends.class) {
            Kernels k = CHOSEN.get(key);
            if (k == null) {
                k = make.get();
                CHOSEN.put(key, k);
            }
            return k;
        }
    }

    private static Kernels create(KernelsChoice choice, int threads) {
        switch (choice) {
            case REFERENCE:
                LOG.warn("kernels: using reference (slow float64 twin; override with {}=java)", SETTING);
                return new ReferenceKernels();
            case JAVA:
                return java(threads, "");
            case APARAPI:
                return aparapi();
            case AUTO:
                if (OpenClDevices.hasGpu()) {
                    Kernels device = shared(KernelsChoice.APARAPI.toString(), KernelBackends::aparapi);
                    Kernels host = shared(KernelsChoice.JAVA + "/" + threads, () -> java(threads, ""));
                    LOG.info("kernels: auto on a GPU: prefill blocks device-resident on aparapi-opencl, every other call"
                            + " (decode steps, logits) on java with {} threads; per-op calls through Aparapi measured"
                            + " 50-90x slower at decode on an H200 (override with {}=aparapi for every call on OpenCL)",
                            threads, SETTING);
                    return new DeviceBlocksKernels(device, host);
                }
                return java(threads, " (auto: no OpenCL GPU; OpenCL on CPU (PoCL) is not faster than this backend)");
            default:
                throw new IllegalStateException("unhandled kernels choice " + choice);
        }
    }

    private static Kernels java(int threads, String why) {
        JavaKernels k = new JavaKernels(threads);
        LOG.info("kernels: using java on {} threads, {}-float vectors{} (override with {}=aparapi)",
                k.threads(), JavaKernels.vectorLanes(), why, SETTING);
        String jit = JitCheck.warning();
        if (jit != null) {
            LOG.warn("kernels: {}", jit);
        }
        return k;
    }

    private static Kernels aparapi() {
        if (!OpenClDevices.available()) {
            throw new IllegalStateException(SETTING + "=aparapi needs OpenCL: " + describeProblem());
        }
        AparapiKernels k = AparapiKernels.create();
        LOG.info("kernels: using aparapi-opencl on {} (override with {}=java)", k.deviceName(), SETTING);
        return k;
    }

    private static String describeProblem() {
        try {
            OpenClDevices.device();
            return "device lookup failed";
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
    }
}
