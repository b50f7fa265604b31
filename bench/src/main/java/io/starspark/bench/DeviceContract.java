package io.starspark.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import io.starspark.kernels.aparapi.OpenClDevices;
import java.io.PrintWriter;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * Runs the Aparapi kernel contract suites (kernels' test classes must be on the class path) where Maven is not
 * available, e.g. on a lent GPU machine. Args: [--expect-gpu] TEST_CLASS... Exit 0 only when every test ran and
 * passed (a skipped suite, e.g. no OpenCL, counts as failure) and, with --expect-gpu, the device is a GPU.
 */
public final class DeviceContract {
    private DeviceContract() {
    }

    public static void main(String[] args) throws Exception {
        boolean expectGpu = false;
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        for (String a : args) {
            if (a.equals("--expect-gpu")) {
                expectGpu = true;
            } else {
                request.selectors(selectClass(Class.forName(a)));
            }
        }
        if (!OpenClDevices.available() || (expectGpu && !OpenClDevices.hasGpu())) {
            System.out.println("device contract: FAILED: " + (OpenClDevices.available() ? "the OpenCL device is not a GPU: "
                    + OpenClDevices.device().getName() : "no OpenCL device"));
            System.exit(1);
        }
        LauncherDiscoveryRequest r = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        launcher.execute(r, listener);
        TestExecutionSummary s = listener.getSummary();
        s.printTo(new PrintWriter(System.out));
        s.printFailuresTo(new PrintWriter(System.out), 20);
        boolean ok = s.getTotalFailureCount() == 0 && s.getTestsSkippedCount() == 0 && s.getTestsAbortedCount() == 0
                && s.getTestsSucceededCount() > 0;
        System.out.printf("device contract on %s: %s (%d passed, %d failed, %d skipped/aborted)%n",
                OpenClDevices.device().getName().trim(), ok ? "PASSED" : "FAILED", s.getTestsSucceededCount(),
                s.getTotalFailureCount(), s.getTestsSkippedCount() + s.getTestsAbortedCount());
        System.exit(ok ? 0 : 1);
    }
}
