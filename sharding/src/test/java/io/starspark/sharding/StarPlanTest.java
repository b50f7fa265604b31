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
