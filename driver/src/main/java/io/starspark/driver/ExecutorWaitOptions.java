package io.starspark.driver;

import io.starspark.errors.UserError;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Option;

/**
 * {@code --expect-executors N --wait-seconds S}: block until N executors registered with a cluster
 * master before a job starts, so its tasks spread over all of them (no-op on {@code local[*]}).
 */
public final class ExecutorWaitOptions {

    @Option(names = "--expect-executors", defaultValue = "1",
            description = "on a cluster, wait until this many executors registered (default ${DEFAULT-VALUE})")
    int expectExecutors;

    @Option(names = "--wait-seconds", defaultValue = "60", description = "how long to wait for executors (default ${DEFAULT-VALUE})")
    int waitSeconds;

    /** True when both values are positive. */
    boolean valid() {
        return expectExecutors >= 1 && waitSeconds >= 1;
    }

    /** Blocks until {@code --expect-executors} executors registered, so tasks can spread over them. */
    void await(JavaSparkContext sc) {
        if (!valid()) {
            throw new UserError("--expect-executors and --wait-seconds must be positive");
        }
        if (sc.sc().isLocal()) {
            return;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        int registered = 0;
        while (System.nanoTime() < deadline) {
            registered = sc.statusTracker().getExecutorInfos().length - 1; // minus the driver
            if (registered >= expectExecutors) {
                return;
            }
            sleep();
        }
        throw new UserError("only " + registered + " of " + expectExecutors + " executors registered with "
                + sc.master() + " after " + waitSeconds + " s; are the workers up and do they have free cores?");
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for executors", e);
        }
    }
}
