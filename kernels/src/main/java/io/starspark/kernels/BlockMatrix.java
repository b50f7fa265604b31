package io.starspark.kernels;

/**
 * Weights in a GGML block-quantized type, kept as the file's raw blocks (the memory win: 4.5 to 6.6
 * bits per value). {@code data: [rows][cols / blockSize][blockBytes]}; rows decode block by block.
 */
public record BlockMatrix(BlockType type, byte[] data, int rows, int cols) implements Matrix {
    public BlockMatrix {
        Shapes.requirePositive("rows", rows);
        Shapes.requirePositive("cols", cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " matrix cols must be a multiple of " + type.blockSize()
                    + " (got " + cols + ")");
        }
        Shapes.requireLength("data", data.length, (long) rows * type.rowBytes(cols));
    }

    /** Quantizes {@code values: [rows][cols]} with {@code type}'s reference quantizer. */
    public static BlockMatrix quantize(BlockType type, float[] values, int rows, int cols) {
        Shapes.requireLength("values", values.length, (long) rows * cols);
        if (cols % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " matrix cols must be a multiple of " + type.blockSize()
                    + " (got " + cols + ")");
        }
        byte[] data = new byte[rows * type.rowBytes(cols)];
        for (int r = 0; r < rows; r++) {
            type.quantize(values, r * cols, cols, data, r * type.rowBytes(cols));
        }
        return new BlockMatrix(type, data, rows, cols);
    }

    @Override
    public int blockSize() {
        return type.blockSize();
    }

    @Override
    public void loadRow(int row, int c0, int len, float[] dst, int offset) {
        int bs = type.blockSize();
        if (c0 % bs != 0 || len % bs != 0) {
            throw new IllegalArgumentException(type + " row range [" + c0 + ", " + (c0 + len)
                    + ") does not cover whole blocks of " + bs);
        }
        type.dequantize(data, row * type.rowBytes(cols) + c0 / bs * type.blockBytes(), len, dst, offset);
    }

    @Override
    public long bytes() {
        return data.length;
    }
}
