package io.starspark.kernels.aparapi;

import com.aparapi.Config;
import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import com.aparapi.internal.opencl.OpenCLLoader;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the OpenCL device once per JVM, under a lock: two threads listing devices at once crash
 * the JVM (PLATFORM.md). A GPU if OpenCL lists one, else the first CPU device (PoCL). The probe is
 * quiet: Aparapi's own log records during it (a SEVERE "Check your environment" when libOpenCL is
 * missing, INFO "JNI loaded") are captured and folded into this class's one line about the outcome.
 */
public final class OpenClDevices {
    private static final Logger LOG = LoggerFactory.getLogger(OpenClDevices.class);
    private static final Object LOCK = new Object();
    private static boolean looked;
    private static OpenCLDevice device;
    private static String problem;

    private OpenClDevices() {
    }

    /** The chosen device; throws IllegalStateException naming the problem when OpenCL has none. */
    public static OpenCLDevice device() {
        synchronized (LOCK) {
            lookUp();
            if (device == null) {
                throw new IllegalStateException(problem);
            }
            return device;
        }
    }

    /** True when an OpenCL platform lists at least one GPU or CPU device. */
    public static boolean available() {
        synchronized (LOCK) {
            lookUp();
            return device != null;
        }
    }

    /** True when the chosen device is a GPU. */
    public static boolean hasGpu() {
        synchronized (LOCK) {
            lookUp();
            return device != null && device.getType() == Device.TYPE.GPU;
        }
    }

    private static void lookUp() {
        if (looked) {
            return;
        }
        looked = true;
        List<String> aparapiSaid = new ArrayList<>();
        java.util.logging.Logger aparapiLog = java.util.logging.Logger.getLogger(Config.getLoggerName());
        boolean parentHandlers = aparapiLog.getUseParentHandlers();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                aparapiSaid.add(r.getLevel() + " " + r.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        aparapiLog.setUseParentHandlers(false);
        aparapiLog.addHandler(capture);
        try {
            probe();
        } finally {
            aparapiLog.removeHandler(capture);
            aparapiLog.setUseParentHandlers(parentHandlers);
        }
        if (device != null) {
            LOG.info("kernels: OpenCL device {} ({})", describe(device), device.getType());
        } else {
            LOG.info("kernels: {}{}", problem, aparapiSaid.isEmpty() ? "" : " [aparapi: " + String.join("; ", aparapiSaid) + "]");
        }
    }

    private static void probe() {
        try {
            if (!OpenCLLoader.isOpenCLAvailable()) {
                problem = "no OpenCL library: Aparapi could not load its native code or libOpenCL (install an OpenCL ICD "
                        + "loader and driver, e.g. ocl-icd-libopencl1 + pocl-opencl-icd), or choose spark.starspark.kernels=java";
                return;
            }
            List<OpenCLDevice> gpus = OpenCLDevice.listDevices(Device.TYPE.GPU);
            List<OpenCLDevice> cpus = OpenCLDevice.listDevices(Device.TYPE.CPU);
            if (!gpus.isEmpty()) {
                device = gpus.get(0);
            } else if (!cpus.isEmpty()) {
                device = cpus.get(0);
            } else {
                problem = "no OpenCL device found: no OpenCL platform lists a GPU or CPU (check `clinfo -l`; "
                        + "on CPU install pocl-opencl-icd), or choose spark.starspark.kernels=java";
            }
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            problem = "no OpenCL platform: listing OpenCL devices failed (" + e + "); install an OpenCL ICD "
                    + "(e.g. pocl-opencl-icd) or choose spark.starspark.kernels=java";
        }
    }

    static String describe(OpenCLDevice d) {
        return d.getName().trim() + " [" + d.getOpenCLPlatform().getName().trim() + "]";
    }
}
