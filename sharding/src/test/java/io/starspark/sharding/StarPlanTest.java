package io.starspark.sharding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.errors.UserError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class StarPlanTest {

    private static String message(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void validationMessagesNameTheValues() {
        assertEquals("blockSize must be a positive multiple of pageSize (got 100, pageSize 64)",
                message(() -> StarPlan.of(1000, 100, 10, 64)));
        assertEquals("anchorSize must be between 1 and blockSize (got 5000, blockSize 4096)",
                message(() -> StarPlan.of(10_000, 4096, 5000, 64)));
        assertEquals("anchorSize must be between 1 and blockSize (got 0, blockSize 4096)",
                message(() -> StarPlan.of(10_000, 4096, 0, 64)));
        assertEquals("contextLength must be at least 1 (got 0)", message(() -> StarPlan.of(0, 64, 8, 16)));
        assertEquals("pageSize must be positive (got 0)", message(() -> StarPlan.of(10, 64, 8, 0)));
        assertEquals("blockSize must be a positive multiple of pageSize (got 0, pageSize 16)",
                message(() -> StarPlan.of(10, 0, 8, 16)));
    }

    @Test
    void blocksWithAnchorAndShortLastBlock() {
        StarPlan plan = StarPlan.of(10, 4, 2, 2);
        assertEquals(List.of(new Block(0, 0, 4, 0), new Block(1, 4, 8, 2), new Block(2, 8, 10, 2)), plan.blocks());
        Block b0 = plan.block(0);
        assertArrayEquals(new int[] {0, 1, 2, 3}, b0.runTokenIndices());
        assertEquals(0, b0.keptOffset());
        Block b2 = plan.block(2);
        assertArrayEquals(new int[] {0, 1, 8, 9}, b2.runTokenIndices());
        assertArrayEquals(new int[] {0, 1, 8, 9}, b2.runPositions());
        assertEquals(2, b2.keptOffset());
        assertEquals(2, b2.keptLength());
        assertEquals(4, b2.runLength());
    }

    @Test
    void anchorLongerThanContextIsClipped() {
        StarPlan plan = StarPlan.of(3, 8, 8, 4);
        assertEquals(3, plan.effectiveAnchor());
        assertEquals(List.of(new Block(0, 0, 3, 0)), plan.blocks());
        assertArrayEquals(new int[] {0, 1, 2}, plan.block(0).runTokenIndices());
    }

    @Test
    void pagesTileTheContextAndLastMayBeShort() {
        StarPlan plan = StarPlan.of(10, 4, 2, 2);
        assertEquals(5, plan.pageCount());
        assertEquals(new Page(4, 8, 10), plan.pageRange(4));
        assertArrayEquals(new int[] {2, 3}, plan.pagesOf(plan.block(1)));
        StarPlan shortPage = StarPlan.of(11, 4, 2, 2);
        assertEquals(new Page(5, 10, 11), shortPage.pageRange(5));
        assertArrayEquals(new int[] {4, 5}, shortPage.pagesOf(shortPage.block(2)));
        assertThrows(IndexOutOfBoundsException.class, () -> plan.pageRange(5));
    }

    @Test
    void questionPositionsContinueAfterContext() {
        StarPlan plan = StarPlan.of(1_000_000, 4096, 4096, 64);
        assertArrayEquals(new int[] {1_000_000, 1_000_001, 1_000_002}, plan.questionPositions(3));
        assertEquals(0, plan.questionPositions(0).length);
        assertThrows(IllegalArgumentException.class, () -> plan.questionPositions(Integer.MAX_VALUE));
    }

    @Test
    void assignSmallExamples() {
        StarPlan plan = StarPlan.of(40, 4, 4, 2); // 10 blocks: costs 4, 8 x 9
        assertEquals(List.of(List.of(0, 1, 2, 3, 4), List.of(5, 6, 7, 8, 9)), plan.assign(2));
        assertEquals(List.of(List.of(0), List.of(1)), StarPlan.of(8, 4, 4, 2).assign(5));
        assertThrows(IllegalArgumentException.class, () -> plan.assign(0));
    }

    @Test
    void indicesJustOutsideThePlanAreRefusedNamingTheRange() {
        StarPlan plan = StarPlan.of(10, 4, 2, 2); // 3 blocks, 5 pages
        assertEquals(new Block(2, 8, 10, 2), plan.block(plan.blockCount() - 1));
        assertEquals("block 3 outside 0..2",
                assertThrows(IndexOutOfBoundsException.class, () -> plan.block(plan.blockCount())).getMessage());
        assertEquals("block -1 outside 0..2",
                assertThrows(IndexOutOfBoundsException.class, () -> plan.block(-1)).getMessage());
        assertEquals("page 5 outside 0..4",
                assertThrows(IndexOutOfBoundsException.class, () -> plan.pageRange(5)).getMessage());
        assertEquals(2, plan.pagesPerBlock());
        assertEquals(4, StarPlan.of(100, 64, 8, 16).pagesPerBlock());
    }

    @Test
    void blockOfTokenAtEveryBoundary() {
        StarPlan plan = StarPlan.of(10, 4, 2, 2);
        int[] expected = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
        for (int token = 0; token < 10; token++) {
            assertEquals(expected[token], plan.blockOfToken(token), "token " + token);
        }
        assertEquals("token 10 outside context 0..9",
                assertThrows(IndexOutOfBoundsException.class, () -> plan.blockOfToken(10)).getMessage());
        assertEquals("token -1 outside context 0..9",
                assertThrows(IndexOutOfBoundsException.class, () -> plan.blockOfToken(-1)).getMessage());
    }

    @Test
    void questionPositionsMayReachTheLargestInt() {
        int n = Integer.MAX_VALUE - 3;
        StarPlan plan = StarPlan.of(n, 1 << 30, 64, 64);
        // contextLength + count = Integer.MAX_VALUE is the largest allowed sum (positions up to MAX_VALUE - 1)
        assertArrayEquals(new int[] {n, n + 1, n + 2}, plan.questionPositions(3));
        assertEquals("question token count must be between 0 and 3 (got 4)",
                assertThrows(IllegalArgumentException.class, () -> plan.questionPositions(4)).getMessage());
        assertEquals("question token count must be between 0 and 3 (got -1)",
                assertThrows(IllegalArgumentException.class, () -> plan.questionPositions(-1)).getMessage());
    }

    /** Blocks without anchors whose run lengths (costs) are {@code costs}. */
    private static List<Block> blocksOfCost(int... costs) {
        List<Block> blocks = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i < costs.length; i++) {
            blocks.add(new Block(i, start, start + costs[i], 0));
            start += costs[i];
        }
        return blocks;
    }

    @Test
    void cutsGoToTheNearerPrefixAndTiesGoToTheLaterOne() {
        // costs 6, 10, 2 (total 18, half 9): prefix 6 is 3 away, 16 is 7 away -> cut after block 0
        assertEquals(List.of(List.of(0), List.of(1, 2)), PartitionAssignment.assign(blocksOfCost(6, 10, 2), 2));
        // costs 2, 10, 6: prefix 2 is 7 away, 12 is 3 away -> cut after block 1
        assertEquals(List.of(List.of(0, 1), List.of(2)), PartitionAssignment.assign(blocksOfCost(2, 10, 6), 2));
        // costs 4, 6, 4 (half 7): prefixes 4 and 10 are both 3 away -> the later cut
        assertEquals(List.of(List.of(0, 1), List.of(2)), PartitionAssignment.assign(blocksOfCost(4, 6, 4), 2));
    }

    @Test
    void skewedCostsStillGiveEveryGroupABlock() {
        // the nearest cuts would leave a group empty; the clamp keeps one block per group
        assertEquals(List.of(List.of(0), List.of(1), List.of(2)), PartitionAssignment.assign(blocksOfCost(1, 1, 100), 3));
        assertEquals(List.of(List.of(0), List.of(1), List.of(2)), PartitionAssignment.assign(blocksOfCost(100, 1, 1), 3));
        assertEquals(List.of(List.of(0), List.of(1), List.of(2, 3)),
                PartitionAssignment.assign(blocksOfCost(100, 1, 1, 1), 3));
        assertEquals(List.of(List.of(0, 1), List.of(2), List.of(3)),
                PartitionAssignment.assign(blocksOfCost(1, 1, 1, 100), 3));
    }

    @Test
    void planAndBlocksSurviveJavaSerialization() throws Exception {
        StarPlan plan = StarPlan.of(10, 4, 2, 2);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(plan);
            out.writeObject(plan.block(2));
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertEquals(plan, in.readObject());
            assertEquals(plan.block(2), in.readObject());
        }
    }
}
