package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The pool's contract: every index once, in the ranges asked for, on its workers; failures reach the caller. */
class ParallelTest {
    /** The ranges one call ran, sorted by start. */
    private static List<int[]> ranges(Parallel par, int n, int chunks) {
        List<int[]> ranges = Collections.synchronizedList(new ArrayList<>());
        par.forRange(n, chunks, (a, b) -> ranges.add(new int[] {a, b}));
        List<int[]> sorted = new ArrayList<>(ranges);
        sorted.sort((x, y) -> Integer.compare(x[0], y[0]));
        return sorted;
    }

    @Test
    void splitsIntoTheFixedContiguousRangesOnEveryCall() {
        try (Parallel par = new Parallel(3)) {
            for (int round = 0; round < 200; round++) {
                for (int[] nc : new int[][] {{10, 3}, {7, 7}, {5, 9}, {1000, 12}, {1, 4}, {0, 3}}) {
                    int n = nc[0];
                    int parts = Math.min(n, nc[1]);
                    List<int[]> got = ranges(par, n, nc[1]);
                    assertEquals(Math.max(parts, n > 0 ? 1 : 0), got.size(), n + "/" + nc[1]);
                    for (int p = 0; p < got.size(); p++) {
                        int from = parts <= 1 ? 0 : (int) ((long) n * p / parts);
                        int to = parts <= 1 ? n : (int) ((long) n * (p + 1) / parts);
                        assertArrayEquals(new int[] {from, to}, got.get(p), n + "/" + nc[1] + " range " + p);
                    }
                }
            }
        }
    }

    @Test
    void aKernelLoopRunsInlineWhenSmallElsePartsPerThreadRanges() {
        try (Parallel par = new Parallel(3); Parallel one = new Parallel(2, 1)) {
            List<int[]> small = Collections.synchronizedList(new ArrayList<>());
            par.forRange(1000, Parallel.MIN_PARALLEL_FLOPS - 1, (a, b) -> small.add(new int[] {a, b}));
            assertEquals(1, small.size());
            assertArrayEquals(new int[] {0, 1000}, small.get(0));
            for (int n : new int[] {1000, 40, 7}) {
                List<int[]> got = Collections.synchronizedList(new ArrayList<>());
                par.forRange(n, Parallel.MIN_PARALLEL_FLOPS, (a, b) -> got.add(new int[] {a, b}));
                assertEquals(Math.min(n, 3 * Parallel.PARTS_PER_THREAD), got.size(), "n " + n);
                assertEquals(n, got.stream().mapToInt(r -> r[1] - r[0]).sum());
            }
            List<int[]> halves = Collections.synchronizedList(new ArrayList<>());
            one.forRange(1000, Parallel.MIN_PARALLEL_FLOPS, (a, b) -> halves.add(new int[] {a, b}));
            assertEquals(2, halves.size());
        }
        assertTrue(Parallel.PARTS_PER_THREAD > 1);
        assertThrows(IllegalArgumentException.class, () -> new Parallel(2, 0));
    }

    @Test
    void theWorkersAndTheCallerShareTheRanges() throws Exception {
        try (Parallel par = new Parallel(2)) {
            Set<String> names = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 2000 && names.size() < 2; i++) {
                CountDownLatch both = new CountDownLatch(2);
                par.forRange(2, 2, (a, b) -> {
                    names.add(Thread.currentThread().getName());
                    both.countDown();
                    try {
                        both.await(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(5), java.util.concurrent.TimeUnit.NANOSECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            assertTrue(names.contains(Thread.currentThread().getName()), names.toString());
            assertTrue(names.contains(par.workerThreads().get(0).getName()), names.toString());
        }
    }

    /**
     * Each thread runs its own segment's ranges in index order (one stream of rows), then takes the others' from the
     * back: with the worker held inside its first range, the caller runs 0-3 and then 7, 6, 5 (and 4 if the worker
     * had not claimed it). Claiming ranges in index order instead would interleave the two threads (0, 2, 3, ...).
     */
    @Test
    void eachThreadRunsItsOwnSegmentFrontToBackThenTakesTheOthersFromTheBack() throws Exception {
        try (Parallel par = new Parallel(2)) {
            for (int round = 0; round < 50; round++) {
                Thread caller = Thread.currentThread();
                List<Integer> callerOrder = Collections.synchronizedList(new ArrayList<>());
                List<Integer> workerOrder = Collections.synchronizedList(new ArrayList<>());
                CountDownLatch callerRan = new CountDownLatch(7);
                par.forRange(8, 8, (a, b) -> {
                    if (Thread.currentThread() == caller) {
                        callerOrder.add(a);
                        callerRan.countDown();
                    } else {
                        workerOrder.add(a);
                        try {
                            callerRan.await(5, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                });
                List<Integer> expected = new ArrayList<>(List.of(0, 1, 2, 3, 7, 6, 5));
                if (workerOrder.isEmpty()) {
                    expected.add(4);
                } else {
                    assertEquals(List.of(4), workerOrder);
                }
                assertEquals(expected, callerOrder, "round " + round);
            }
        }
    }

    @Test
    void aFailureInAnyRangeReachesTheCallerAndThePoolStaysUsable() {
        try (Parallel par = new Parallel(2)) {
            for (int bad = 0; bad < 4; bad++) {
                int failing = bad;
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> par.forRange(4, 4, (a, b) -> {
                    if (a == failing) {
                        throw new IllegalStateException("range " + a);
                    }
                }));
                assertEquals("range " + bad, e.getMessage());
            }
            AssertionError error = new AssertionError("boom");
            assertSame(error, assertThrows(AssertionError.class, () -> par.forRange(3, 3, (a, b) -> {
                throw error;
            })));
            AtomicInteger sum = new AtomicInteger();
            par.forRange(100, 4, (a, b) -> sum.addAndGet(b - a));
            assertEquals(100, sum.get());
        }
    }

    /** Several callers at once, and calls from inside a range: each call still covers its indices once. */
    @Test
    void concurrentAndNestedCallsCoverEveryIndexOnce() throws Exception {
        try (Parallel par = new Parallel(2)) {
            int callers = 4;
            AtomicReference<Throwable> failed = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                Thread t = new Thread(() -> {
                    try {
                        for (int round = 0; round < 300; round++) {
                            int[] hits = new int[257];
                            par.forRange(hits.length, 5, (a, b) -> {
                                for (int i = a; i < b; i++) {
                                    int[] inner = new int[3];
                                    par.forRange(3, 3, (x, y) -> {
                                        for (int k = x; k < y; k++) {
                                            inner[k]++;
                                        }
                                    });
                                    hits[i] += inner[0] + inner[1] + inner[2] == 3 ? 1 : 100;
                                }
                            });
                            for (int i = 0; i < hits.length; i++) {
                                if (hits[i] != 1) {
                                    throw new AssertionError("index " + i + " hit " + hits[i] + " times");
                                }
                            }
                        }
                    } catch (Throwable e) {
                        failed.compareAndSet(null, e);
                    }
                });
                threads.add(t);
                t.start();
            }
            for (Thread t : threads) {
                t.join(60_000);
                assertTrue(!t.isAlive(), "a caller hung");
            }
            if (failed.get() != null) {
                throw new AssertionError(failed.get());
            }
        }
    }

    @Test
    void closeStopsTheWorkersAndLaterCallsRunOnTheCaller() throws Exception {
        Parallel par = new Parallel(3);
        par.forRange(10, 3, (a, b) -> { });
        par.close();
        long deadline = System.nanoTime() + 10_000_000_000L;
        for (Thread t : par.workerThreads()) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            assertTrue(!t.isAlive(), t.getName() + " still runs after close");
        }
        assertEquals(2, par.workerThreads().size());
        Set<String> names = new HashSet<>();
        par.forRange(10, 3, (a, b) -> names.add(Thread.currentThread().getName()));
        assertEquals(Set.of(Thread.currentThread().getName()), names);
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
    }
}
