package io.starspark.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q8_0 weights: blocks of 32 consecutive values along a row share one scale.
 * {@code quants: [rows][cols]} int8, {@code scales: [rows][cols/32]}; value = quants * scale.
 * Rows decode vectorized per 16-value half block when the float species holds 16 lanes
 * (a product of two floats either way, so the bits are the same on every path).
 */
public record Q8Matrix(byte[] quants, float[] scales, int rows, int cols) implements Matrix {
    public static final int BLOCK = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128;

    public Q8Matrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        if (cols % BLOCK != 0) {
            throw new IllegalArgumentException("Q8_0 matrix cols must be a multiple of " + BLOCK + " (got " + cols + ")");
        }
        Shapes.requireLength("quants", quants.length, (long) rows * cols);
        Shapes.requireLength("scales", scales.length, (long) rows * (cols / BLOCK));
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        int blocksPerRow = cols / BLOCK;
        int base = row * cols;
        int i = 0;
        if (F.length() == 16) {
            while (i < len && ((c0 + i) & 15) != 0) {
                dst[offset + i] = quants[base + c0 + i] * scales[row * blocksPerRow + (c0 + i) / BLOCK];
                i++;
            }
            for (; i + 16 <= len; i += 16) {
                int c = c0 + i;
                float scale = scales[row * blocksPerRow + c / BLOCK];
                FloatVector v = (FloatVector) ByteVector.fromArray(B, quants, base + c)
                        .convertShape(VectorOperators.B2F, F, 0);
                v.mul(scale).intoArray(dst, offset + i);
            }
        }
        for (; i < len; i++) {
            int c = c0 + i;
            dst[offset + i] = quants[base + c] * scales[row * blocksPerRow + c / BLOCK];
        }
    }

    @Override
    public long bytes() {
        return quants.length + 4L * scales.length;
    }
}
