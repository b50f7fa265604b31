package io.starspark.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q8_0 weights: blocks of 32 consecutive values along a row share one scale; value = quant · scale.
 * Built from row-major arrays ({@code quants: [rows][cols]} int8, {@code scales: [rows][cols/32]}); held in a
 * <em>tiled</em> layout when a row is wider than {@link #TILE_COLS}:
 * <pre>
 * quants: [row group of TILE_ROWS][column chunk of TILE_COLS][row in the group][column in the chunk]
 * scales: the same with a block of 32 in place of a column: scale index = quant index / 32
 * </pre>
 * (the last group and chunk as wide as what is left; with {@code cols ≤ TILE_COLS} that is row-major, and the
 * arrays are held as given). {@link #quantIndex} is the one place this is written. Why: the decode GEMV
 * ({@code jvm.Gemv}) keeps its input x in L1 while it streams the weights, and a row of 8192 columns needs 32 KB
 * of x, the whole L1 of this machine: each row's stream evicted x before the next row read it again, and the 1b
 * shape's down projection (2048 × 8192) ran at 16.3 GB/s in the decode step where the 2048-column matrices ran at
 * 24–31. Tiled, the GEMV runs a group's rows chunk by chunk over 8 KB of x (a row's accumulators carried between
 * chunks) and still reads the weights front to back. Rows decode vectorized per 16-value half block when the
 * float species holds 16 lanes (a product of two floats either way, so the bits are the same on every path).
 */
public final class Q8Matrix implements Matrix {
    public static final int BLOCK = 32;
    /** Rows per group of the tiled layout. */
    public static final int TILE_ROWS = 64;
    /** Columns per chunk of the tiled layout (a multiple of {@link #BLOCK}); rows up to this wide stay row-major. */
    public static final int TILE_COLS = 2048;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    private final byte[] quants;
    private final float[] scales;
    private final int rows;
    private final int cols;

    /**
     * From row-major {@code quants [rows][cols]} and {@code scales [rows][cols/32]}: held as they are when
     * {@code cols ≤ TILE_COLS}, else copied into the tiled layout (the arguments are not changed).
     */
    public Q8Matrix(byte[] quants, float[] scales, int rows, int cols) {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 matrix cols must be a multiple of " + BLOCK + " (got " + cols + ")");
        }
        Shapes.requireLength("quants", quants.length, (long) rows * cols);
        Shapes.requireLength("scales", scales.length, (long) rows * (cols / BLOCK));
        this.rows = rows;
        this.cols = cols;
        if (tiled()) {
            byte[] q = new byte[quants.length];
            float[] sc = new float[scales.length];
            forEachSpan((rowMajor, held, width) -> {
                System.arraycopy(quants, rowMajor, q, held, width);
                System.arraycopy(scales, rowMajor / BLOCK, sc, held / BLOCK, width / BLOCK);
            });
            this.quants = q;
            this.scales = sc;
        } else {
            this.quants = quants;
            this.scales = scales;
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    /** Whether the arrays are tiled (rows wider than {@link #TILE_COLS}) rather than row-major. */
    public boolean tiled() {
        return cols > TILE_COLS;
    }

    /** The quants in this matrix's layout ({@link #quantIndex}); not to be changed. */
    public byte[] tiledQuants() {
        return quants;
    }

    /** The scales in this matrix's layout: the scale of quant i is at i / {@link #BLOCK}; not to be changed. */
    public float[] tiledScales() {
        return scales;
    }

    /**
     * Where {@code W[r][c]}'s quant is held; a column chunk's values of one row are consecutive from its first
     * column on. Row-major ({@code r·cols + c}) unless {@link #tiled}.
     */
    public int quantIndex(int r, int c) {
        int g0 = r - r % TILE_ROWS;
        int groupRows = Math.min(TILE_ROWS, rows - g0);
        int c0 = c - c % TILE_COLS;
        int width = Math.min(TILE_COLS, cols - c0);
        return g0 * cols + c0 * groupRows + (r - g0) * width + (c - c0);
    }

    /** The quants row-major, {@code [rows][cols]}: the held array unless {@link #tiled}, else a copy. */
    public byte[] rowMajorQuants() {
        if (!tiled()) {
            return quants;
        }
        byte[] out = new byte[quants.length];
        forEachSpan((rowMajor, held, width) -> System.arraycopy(quants, held, out, rowMajor, width));
        return out;
    }

    /** The scales row-major, {@code [rows][cols/32]}: the held array unless {@link #tiled}, else a copy. */
    public float[] rowMajorScales() {
        if (!tiled()) {
            return scales;
        }
        float[] out = new float[scales.length];
        forEachSpan((rowMajor, held, width) ->
                System.arraycopy(scales, held / BLOCK, out, rowMajor / BLOCK, width / BLOCK));
        return out;
    }

    /** A row's values in one column chunk: at {@code rowMajor} in row-major order, at {@code held} here. */
    private interface Span {
        void at(int rowMajor, int held, int width);
    }

    /** Every row's chunks, rows in order ({@link #quantIndex} gives where each is held). */
    private void forEachSpan(Span span) {
        for (int r = 0; r < rows; r++) {
            for (int c0 = 0; c0 < cols; c0 += TILE_COLS) {
                span.at(r * cols + c0, quantIndex(r, c0), Math.min(TILE_COLS, cols - c0));
            }
        }
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        int done = 0;
        while (done < len) {
            int c = c0 + done;
            int n = Math.min(len - done, TILE_COLS - c % TILE_COLS); // to the end of c's chunk
            load(quantIndex(row, c), n, dst, offset + done);
            done += n;
        }
    }

    /** {@code n} values held consecutively from quant index {@code at} (within one chunk of one row). */
    private void load(int at, int n, float[] dst, int offset) {
        int i = 0;
        if (F.length() == 16) {
            while (i < n && ((at + i) & 15) != 0) {
                dst[offset + i] = quants[at + i] * scales[(at + i) / BLOCK];
                i++;
            }
            for (; i + 16 <= n; i += 16) {
                FloatVector v = (FloatVector) ByteVector.fromArray(B, quants, at + i)
                        .convertShape(VectorOperators.B2F, F, 0);
                v.mul(scales[(at + i) / BLOCK]).intoArray(dst, offset + i);
            }
        }
        for (; i < n; i++) {
            dst[offset + i] = quants[at + i] * scales[(at + i) / BLOCK];
        }
    }

    @Override
    public long bytes() {
        return quants.length + 4L * scales.length;
    }

    @Override
    public String toString() {
        return "Q8Matrix[rows=" + rows + ", cols=" + cols + (tiled() ? ", tiled" : "") + "]";
    }
}
