package io.starspark.kernels.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The decode warm-up: one task per kind of matrix and per attention shape, each run once per JVM. */
class DecodeWarmUpTest {
    private static Q8Matrix q8(int rows, int cols) {
        return new Q8Matrix(new byte[rows * cols], new float[rows * cols / Q8Matrix.BLOCK], rows, cols);
    }

    @Test
    void oneGemvTaskPerKindAndOneAttentionTask() {
        Matrix a = q8(40, 64);
        Matrix b = new F32Matrix(new float[8 * 64], 8, 64);
        Matrix wide = q8(2, Q8Matrix.TILE_COLS + 32); // tiled: Gemv's chunk loop is a path of its own
        List<DecodeWarmUp.Task> tasks = DecodeWarmUp.tasks(List.of(a, b, q8(3, 32), wide, q8(5, Q8Matrix.TILE_COLS * 2)),
                4, 2, 16, KvDtype.F16, kind -> true);
        assertEquals(List.of("gemv Q8Matrix", "gemv F32Matrix", "gemv Q8Matrix tiled", "attention F16 4/2x16"),
                tasks.stream().map(DecodeWarmUp.Task::kind).toList());
        assertEquals(DecodeWarmUp.ROWS * 64, tasks.get(0).batch().getAsInt());
        assertEquals(8 * 64, tasks.get(1).batch().getAsInt());
        assertEquals(2 * (Q8Matrix.TILE_COLS + 32), tasks.get(2).batch().getAsInt());
        assertEquals(4 * DecodeWarmUp.KEYS, tasks.get(3).batch().getAsInt());
        // a head size the decode path does not take: no attention task
        assertEquals(1, DecodeWarmUp.tasks(List.of(a), 4, 2, 3, KvDtype.F32, kind -> true).size());
        // kinds already warm get no task
        assertEquals(List.of("gemv F32Matrix"), DecodeWarmUp.tasks(List.of(a, b), 4, 2, 16, KvDtype.F16,
                kind -> kind.equals("gemv F32Matrix")).stream().map(DecodeWarmUp.Task::kind).toList());
    }

    @Test
    void runsEachTaskUntilItIsFastAndSaysWhatItTook() {
        List<DecodeWarmUp.Task> tasks = DecodeWarmUp.tasks(List.of(q8(32, 1024)), 2, 1, 64, KvDtype.F16, kind -> true);
        String summary = DecodeWarmUp.run(tasks);
        System.out.println("DecodeWarmUpTest: " + summary);
        assertTrue(summary.matches("decode paths warmed in the background in \\d+ ms: gemv Q8Matrix (not yet )?compiled"
                + " after \\d+ calls, \\d+ ms CPU; attention F16 2/1x64 (not yet )?compiled after \\d+ calls, \\d+ ms CPU"),
                summary);
    }

    @Test
    void eachKindWarmsOncePerJvmAndTheThreadEnds() throws Exception {
        List<Matrix> w = List.of(q8(24, 1024));
        Thread t = DecodeWarmUp.start(w, 2, 1, 64, KvDtype.F16);
        assertNotNull(t);
        assertTrue(t.isDaemon());
        assertNull(DecodeWarmUp.start(w, 2, 1, 64, KvDtype.F16), "second start: nothing left to warm");
        t.join(30_000);
        assertFalse(t.isAlive());
    }
}
