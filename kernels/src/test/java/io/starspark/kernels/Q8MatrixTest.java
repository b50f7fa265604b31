package io.starspark.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The Q8_0 matrix's layouts: row-major up to {@link Q8Matrix#TILE_COLS} columns, tiled beyond, and its reads. */
class Q8MatrixTest {
    private record RowMajor(byte[] quants, float[] scales) {
    }

    private static RowMajor random(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] q = new byte[rows * cols];
        for (int i = 0; i < q.length; i++) {
            q[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] s = new float[rows * cols / Q8Matrix.BLOCK];
        for (int i = 0; i < s.length; i++) {
            s[i] = (float) (0.001 + r.nextDouble() * 0.01);
        }
        return new RowMajor(q, s);
    }

    /**
     * Walking the documented nesting (row group, column chunk, row in the group, column in the chunk) with one
     * counter visits the held arrays front to back: 130 rows (two whole groups of 64 and one of 2), 4160 columns
     * (chunks of 2048, 2048 and 64).
     */
    @Test
    void tiledArraysHoldGroupsThenChunksThenRows() {
        int rows = 130;
        int cols = 4160;
        RowMajor in = random(rows, cols, 11);
        Q8Matrix m = new Q8Matrix(in.quants(), in.scales(), rows, cols);
        assertTrue(m.tiled());
        int at = 0;
        int block = 0;
        for (int g0 = 0; g0 < rows; g0 += 64) {
            for (int c0 = 0; c0 < cols; c0 += 2048) {
                for (int r = g0; r < Math.min(rows, g0 + 64); r++) {
                    for (int c = c0; c < Math.min(cols, c0 + 2048); c++) {
                        assertEquals(at, m.quantIndex(r, c), "quantIndex(" + r + ", " + c + ")");
                        assertEquals(in.quants()[r * cols + c], m.tiledQuants()[at++],
                                "quant of (" + r + ", " + c + ")");
                        if (c % Q8Matrix.BLOCK == 0) {
                            assertEquals(in.scales()[(r * cols + c) / Q8Matrix.BLOCK], m.tiledScales()[block++],
                                    "scale of (" + r + ", " + c + ")");
                        }
                    }
                }
            }
        }
        assertEquals(rows * cols, at);
        assertEquals(rows * cols / Q8Matrix.BLOCK, block);
    }

    @Test
    void rowMajorCopiesGiveBackTheInputWhichStaysAsItWas() {
        int rows = 70;
        int cols = 2048 + 5 * Q8Matrix.BLOCK;
        RowMajor in = random(rows, cols, 12);
        byte[] q = in.quants().clone();
        float[] s = in.scales().clone();
        Q8Matrix m = new Q8Matrix(in.quants(), in.scales(), rows, cols);
        assertArrayEquals(q, in.quants(), "the constructor copies, it does not permute its argument");
        assertArrayEquals(s, in.scales());
        assertArrayEquals(q, m.rowMajorQuants());
        assertArrayEquals(s, m.rowMajorScales());
        assertEquals(q.length + 4L * s.length, m.bytes());
    }

    /** Up to TILE_COLS columns the arrays are the caller's, row-major: no copy of a model's weights. */
    @Test
    void narrowMatricesHoldTheirArraysRowMajor() {
        RowMajor in = random(3, 2048, 13);
        Q8Matrix m = new Q8Matrix(in.quants(), in.scales(), 3, 2048);
        assertFalse(m.tiled());
        assertSame(in.quants(), m.tiledQuants());
        assertSame(in.scales(), m.tiledScales());
        assertSame(in.quants(), m.rowMajorQuants());
        assertSame(in.scales(), m.rowMajorScales());
        assertEquals(2 * 2048 + 100, m.quantIndex(2, 100));
        assertEquals("Q8Matrix[rows=3, cols=2048]", m.toString());
        assertEquals("Q8Matrix[rows=2, cols=2080, tiled]",
                new Q8Matrix(new byte[2 * 2080], new float[2 * 65], 2, 2080).toString());
    }

    /**
     * loadRow over column ranges that start and end on a block or anywhere (a Q8_0 matrix's block size is 1 to its
     * callers), crossing chunk boundaries, gives quant · scale of the row-major input, tiled and row-major.
     */
    @Test
    void loadRowDecodesAnyColumnRange() {
        for (int[] shape : new int[][] {{67, 4160}, {5, 2048}, {3, 96}}) {
            int rows = shape[0];
            int cols = shape[1];
            RowMajor in = random(rows, cols, 14 + cols);
            Q8Matrix m = new Q8Matrix(in.quants(), in.scales(), rows, cols);
            int[][] ranges = {{0, cols}, {0, 32}, {1984, Math.min(cols - 1984, 128)}, {cols - 32, 32}, {96, cols - 96},
                {5, Math.min(cols - 5, 2090)}, {2043, Math.min(cols - 2043, 7)}};
            for (int r : new int[] {0, rows / 2, rows - 1}) {
                for (int[] range : ranges) {
                    int c0 = Math.min(range[0], cols - 1);
                    int len = Math.max(1, Math.min(range[1], cols - c0));
                    float[] got = new float[len + 3];
                    m.loadRow(r, c0, len, got, 3);
                    for (int i = 0; i < len; i++) {
                        int at = r * cols + c0 + i;
                        assertEquals(in.quants()[at] * in.scales()[at / Q8Matrix.BLOCK], got[3 + i],
                                rows + "x" + cols + " row " + r + " col " + (c0 + i));
                    }
                }
            }
        }
    }

    /** jvm.Gemv carries a row's four accumulators between chunks: every chunk but the last holds whole fours of blocks. */
    @Test
    void chunksHoldWholeGroupsOfFourBlocks() {
        assertEquals(0, Q8Matrix.TILE_COLS % (4 * Q8Matrix.BLOCK));
    }

    @Test
    void badShapesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Q8Matrix(new byte[48], new float[1], 1, 48));
        assertThrows(IllegalArgumentException.class, () -> new Q8Matrix(new byte[64], new float[1], 1, 64));
        assertThrows(IllegalArgumentException.class, () -> new Q8Matrix(new byte[63], new float[2], 1, 64));
    }
}
