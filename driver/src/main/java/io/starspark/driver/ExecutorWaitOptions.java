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

    /** How long a cluster may take to answer and to bring up the executors. */
    int waitSeconds() {
        return waitSeconds;
    }

    /** True when both values are positive. */
    boolean valid() {
        return expectExecutors >= 1 && waitSeconds >= 1;
    }

    /** Blocks until {@code --expect-executors} executors registered, so tasks can spread over them. */
    void await(JavaSparkContext sc) {
        await(new Cluster() {
            @Override
            public boolean local() {
                return sc.sc().isLocal();
            }

            @Override
            public boolean stopped() {
                return sc.sc().isStopped();
            }

            @Override
            public int executors() {
                return Math.max(0, sc.statusTracker().getExecutorInfos().length - 1); // minus the driver
            }

            @Override
            public String master() {
                return sc.master();
            }
        });
    }

    /** What {@link #await} reads of a Spark context. */
    interface Cluster {
        boolean local();

        boolean stopped();

        /** Executors registered now, the driver not counted. */
        int executors();

        String master();
    }

    void await(Cluster cluster) {
        if (!valid()) {
            throw new UserError("--expect-executors and --wait-seconds must be positive");
        }
        if (cluster.local()) {
            return;
        }
        long deadline = System.nanoTime() + waitSeconds * 1_000_000_000L;
        int registered = 0;
        while (System.nanoTime() < deadline) {
            if (cluster.stopped()) {
                throw new UserError("the Spark context stopped while waiting for executors of " + cluster.master()
                        + " (the master gave up on this application; see the log above)");
            }
            registered = cluster.executors();
            if (registered >= expectExecutors) {
                return;
            }
            sleep();
        }
        throw new UserError("only " + registered + " of " + expectExecutors + " executors registered with "
                + cluster.master() + " after " + waitSeconds + " s; are the workers up and do they have free cores?");
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
