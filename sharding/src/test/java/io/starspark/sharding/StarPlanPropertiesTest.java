package io.starspark.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;

/** Properties checked over many random plans; the seed is printed so a failure can be replayed. */
class StarPlanPropertiesTest {
    private static final int TRIES = 500;

    /** Runs {@code check} on {@link #TRIES} random plans from a logged seed ({@code -Dstarspark.seed=} replays one). */
    private static void forRandomPlans(String name, BiConsumer<StarPlan, SplittableRandom> check) {
        long seed = Long.getLong("starspark.test.seed", 20261206L);
        System.out.println(name + ": seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        for (int t = 0; t < TRIES; t++) {
            StarPlan plan = randomPlan(random);
            try {
                check.accept(plan, random);
            } catch (AssertionError e) {
                throw new AssertionError(name + " failed for " + plan + " (seed " + seed + ")", e);
            }
        }
    }

    static StarPlan randomPlan(SplittableRandom random) {
        int pageSize = random.nextInt(1, 17);
        int block = pageSize * random.nextInt(1, 9);
        int anchor = random.nextInt(1, block + 1);
        return StarPlan.of(random.nextInt(1, 2001), block, anchor, pageSize);
    }

    @Test
    void blocksPartitionTheContextAndRunAnchorThenBlock() {
        forRandomPlans("blocks", (plan, random) -> checkBlocks(plan));
    }

    @Test
    void pagesTileContextAndNeverStraddleBlocks() {
        forRandomPlans("pages", (plan, random) -> checkPages(plan));
    }

    @Test
    void assignmentIsCompleteContiguousNonEmptyAndBalanced() {
        forRandomPlans("assign", (plan, random) -> checkAssignment(plan, random.nextInt(1, 41)));
    }

    private static void checkBlocks(StarPlan plan) {
        int next = 0;
        for (Block b : plan.blocks()) {
            assertEquals(next, b.start());
            assertTrue(b.keptLength() <= plan.blockSize());
            int[] run = b.runTokenIndices();
            int a = b.index() == 0 ? 0 : Math.min(plan.anchorSize(), plan.contextLength());
            assertEquals(a, b.keptOffset());
            assertEquals(a + b.keptLength(), run.length);
            for (int i = 0; i < run.length; i++) {
                assertEquals(i < a ? i : b.start() + i - a, run[i]);
            }
            assertArrayEquals(run, b.runPositions());
            next = b.end();
        }
        assertEquals(plan.contextLength(), next);
    }

    private static void checkPages(StarPlan plan) {
        List<Integer> seen = new ArrayList<>();
        for (Block b : plan.blocks()) {
            for (int p : plan.pagesOf(b)) {
                Page page = plan.pageRange(p);
                assertTrue(page.start() >= b.start() && page.end() <= b.end(), page + " outside " + b);
                seen.add(p);
            }
        }
        assertEquals(plan.pageCount(), seen.size());
        int next = 0;
        for (int i = 0; i < seen.size(); i++) {
            assertEquals(i, seen.get(i));
            Page page = plan.pageRange(i);
            assertEquals(next, page.start());
            assertTrue(page.length() == plan.pageSize() || i == plan.pageCount() - 1);
            next = page.end();
        }
        assertEquals(plan.contextLength(), next);
    }

    private static void checkAssignment(StarPlan plan, int partitions) {
        List<Block> blocks = plan.blocks();
        List<List<Integer>> groups = plan.assign(partitions);
        assertEquals(Math.min(partitions, blocks.size()), groups.size());
        long total = 0;
        long maxCost = 0;
        for (Block b : blocks) {
            total += PartitionAssignment.cost(b);
            maxCost = Math.max(maxCost, PartitionAssignment.cost(b));
        }
        int next = 0;
        for (List<Integer> group : groups) {
            assertFalse(group.isEmpty());
            long cost = 0;
            for (int index : group) {
                assertEquals(next++, index);
                cost += PartitionAssignment.cost(blocks.get(index));
            }
            assertTrue(cost * groups.size() <= total + maxCost * groups.size(),
                    "group cost " + cost + " exceeds total/partitions + max block cost (" + total + "/"
                            + groups.size() + " + " + maxCost + ")");
        }
        assertEquals(blocks.size(), next);
        assertEquals(groups, plan.assign(partitions), "assignment must be deterministic");
    }
}
