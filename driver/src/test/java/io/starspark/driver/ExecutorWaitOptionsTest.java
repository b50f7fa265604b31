package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.errors.UserError;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code --expect-executors/--wait-seconds} against a scripted cluster (executors registering one per poll, a
 * master that gives up, one that never answers): the wait ends as soon as enough executors registered, or with
 * an error that says how many did.
 */
class ExecutorWaitOptionsTest {

    /** A cluster whose executors register one more per poll up to {@code max}, stopped after {@code stopAfter} polls. */
    static final class Scripted implements ExecutorWaitOptions.Cluster {
        final boolean local;
        final int max;
        final int stopAfter;
        final AtomicInteger polls = new AtomicInteger();

        Scripted(boolean local, int max, int stopAfter) {
            this.local = local;
            this.max = max;
            this.stopAfter = stopAfter;
        }

        @Override
        public boolean local() {
            return local;
        }

        @Override
        public boolean stopped() {
            return polls.get() >= stopAfter;
        }

        @Override
        public int executors() {
            return Math.min(max, polls.incrementAndGet());
        }

        @Override
        public String master() {
            return "spark://m:7077";
        }
    }

    static ExecutorWaitOptions options(String... args) {
        return CommandLine.populateCommand(new ExecutorWaitOptions(), args);
    }

    @Test
    void waitsUntilEnoughExecutorsRegistered() {
        Scripted cluster = new Scripted(false, 10, Integer.MAX_VALUE);
        options("--expect-executors", "3", "--wait-seconds", "30").await(cluster);
        assertEquals(3, cluster.polls.get(), "returns at the poll that saw the third executor");
        Scripted one = new Scripted(false, 10, Integer.MAX_VALUE);
        options().await(one);
        assertEquals(1, one.polls.get(), "the default waits for one executor");
        Scripted local = new Scripted(true, 0, 0);
        options("--expect-executors", "5").await(local);
        assertEquals(0, local.polls.get(), "local masters have no executors to wait for");
    }

    @Test
    void tooFewExecutorsInTimeSayHowMany() {
        Scripted cluster = new Scripted(false, 2, Integer.MAX_VALUE);
        String message = assertThrows(UserError.class,
                () -> options("--expect-executors", "3", "--wait-seconds", "1").await(cluster)).getMessage();
        assertEquals("only 2 of 3 executors registered with spark://m:7077 after 1 s; are the workers up and do they"
                + " have free cores?", message);
        assertTrue(cluster.polls.get() >= 2 && cluster.polls.get() <= 20, "polled every 200 ms, not busily: "
                + cluster.polls.get());
    }

    @Test
    void aMasterThatGivesUpEndsTheWait() {
        Scripted cluster = new Scripted(false, 0, 2);
        assertEquals("the Spark context stopped while waiting for executors of spark://m:7077 (the master gave up on "
                + "this application; see the log above)", assertThrows(UserError.class,
                () -> options("--wait-seconds", "30").await(cluster)).getMessage());
        assertEquals(2, cluster.polls.get());
    }

    @Test
    void anInterruptEndsTheWaitAndStaysSet() {
        Thread.currentThread().interrupt();
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> options("--expect-executors", "3").await(new Scripted(false, 0, Integer.MAX_VALUE)));
            assertEquals("interrupted while waiting for executors", e.getMessage());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt is kept for the caller");
        } finally {
            Thread.interrupted(); // clears it for the next test
        }
    }

    @Test
    void bothValuesMustBePositive() {
        assertTrue(options().valid());
        assertEquals(60, options().waitSeconds());
        assertTrue(options("--expect-executors", "1", "--wait-seconds", "1").valid());
        assertFalse(options("--expect-executors", "0").valid());
        assertFalse(options("--wait-seconds", "0").valid());
        assertEquals("--expect-executors and --wait-seconds must be positive", assertThrows(UserError.class,
                () -> options("--wait-seconds", "0").await(new Scripted(true, 0, 0))).getMessage());
    }
}
