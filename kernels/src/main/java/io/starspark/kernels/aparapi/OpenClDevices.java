package io.starspark.kernels.aparapi;

import com.aparapi.device.Device;
import com.aparapi.device.OpenCLDevice;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the OpenCL device once per JVM, under a lock: two threads listing devices at once crash
 * the JVM (PLATFORM.md). A GPU if OpenCL lists one, else the first CPU device (PoCL).
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
        try {
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
            LOG.warn("kernels: {}", problem, e);
        }
        if (device != null) {
            LOG.info("kernels: OpenCL device {} ({})", describe(device), device.getType());
        }
    }

    static String describe(OpenCLDevice d) {
        return d.getName().trim() + " [" + d.getOpenCLPlatform().getName().trim() + "]";
    }
}
