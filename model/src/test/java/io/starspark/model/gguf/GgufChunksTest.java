package io.starspark.model.gguf;

import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A tensor larger than one map (1 GiB, e.g. a 128K x 4096 f32 embedding) is copied in chunks of whole rows. Small
 * chunks here cross the same borders: every chunk size from less than a row to more than the tensor gives, for
 * every stored type, the values the one-map read gives; that read is checked against what was written (here for
 * F32, F16 and BF16; in GgufLayoutTest and GgufBlockTypesTest for the quantized types).
 */
class GgufChunksTest {
    private static final long SEED = Long.getLong("starspark.test.seed", 20261202L);
    private static final int ROWS = 7;
    private static final int COLS = 256; // a whole number of blocks of every type

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(GgmlType.class)
    void chunkedReadsEqualTheOneMapRead(GgmlType type) {
        System.out.println("GgufChunksTest seed " + SEED);
        SplittableRandom r = new SplittableRandom(SEED);
        float[] d = new float[ROWS * COLS]; // [rows][cols]
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        Path p = dir.resolve(type + ".gguf");
        new GgufWriter().putString("pad", "x") // the data section does not start at a round offset of the file
            .tensor("before", GgmlType.F32, new long[] {3}, (row, dst) -> Arrays.fill(dst, 9f))
            .tensor("t", type, new long[] {COLS, ROWS}, (row, dst) -> System.arraycopy(d, (int) row * COLS, dst, 0, COLS))
            .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            GgufTensor t = f.tensor("t");
            float[] whole = new TensorReader(f).floats(t);
            for (int i = 0; i < d.length; i++) {
                switch (type) {
                    case F32 -> assertEquals(d[i], whole[i], "element " + i);
                    case F16 -> assertEquals(Half.toFloat(Half.fromFloat(d[i])), whole[i], "element " + i);
                    case BF16 -> assertEquals(d[i], whole[i], Math.abs(d[i]) * 0x1p-8, "element " + i);
                    default -> { } // quantized: checked against the written values in GgufLayoutTest, GgufBlockTypesTest
                }
            }
            long rowBytes = type.bytesFor(COLS);
            for (long chunk : new long[] {1, rowBytes - 1, rowBytes, 2 * rowBytes, 3 * rowBytes + 1, ROWS * rowBytes,
                100 * rowBytes}) {
                TensorReader reader = new TensorReader(f, chunk);
                String where = type + ", chunks of " + chunk + " bytes (rows of " + rowBytes + ")";
                assertArrayEquals(whole, reader.floats(t), where);
                Matrix m = reader.matrix(t);
                assertEquals(ROWS, m.rows(), where);
                assertEquals(COLS, m.cols(), where);
                float[] row = new float[COLS];
                for (int i = 0; i < ROWS; i++) {
                    m.loadRow(i, row, 0);
                    assertArrayEquals(Arrays.copyOfRange(whole, i * COLS, (i + 1) * COLS), row, where + ", row " + i);
                }
            }
        }
    }
}
