package io.starspark.model.gguf;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.model.ModelFormatException;

import java.nio.ByteBuffer;

/** Copies tensor data out of a {@link GgufFile} into kernel {@link Matrix} types, mapping at most 1 GiB at a time. */
final class TensorReader {
    private static final long CHUNK = 1L << 30;

    private final GgufFile file;
    private final long chunk;

    TensorReader(GgufFile file) {
        this(file, CHUNK);
    }

    /** @param chunk the most bytes mapped at once, rounded down to whole rows (at least one) */
    TensorReader(GgufFile file, long chunk) {
        this.file = file;
        this.chunk = chunk;
    }

    Matrix matrix(GgufTensor t) {
        requireMatrixSize(t);
        int rows = (int) t.rows();
        int cols = (int) t.cols();
        return switch (t.type()) {
            case F32, BF16 -> new F32Matrix(plainFloats(t), rows, cols);
            case F16 -> new F16Matrix(halves(t), rows, cols);
            case Q8_0 -> q8(t, rows, cols);
            case Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> blocks(t, rows, cols);
        };
    }

    /** Any tensor widened to float, flattened in file order (rows decoded by their {@link Matrix}). */
    float[] floats(GgufTensor t) {
        requireMatrixSize(t);
        if (t.type() == GgmlType.F32 || t.type() == GgmlType.BF16) {
            return plainFloats(t);
        }
        Matrix m = matrix(t);
        float[] out = new float[(int) t.elements()];
        for (int r = 0; r < m.rows(); r++) {
            m.loadRow(r, out, r * m.cols());
        }
        return out;
    }

    /** F32 copied, BF16 widened (the one place BF16 is decoded: it loads as an F32 matrix). */
    private float[] plainFloats(GgufTensor t) {
        float[] out = new float[(int) t.elements()];
        forEachChunk(t, (buf, first, count) -> {
            int base = (int) (first * t.cols());
            int n = (int) (count * t.cols());
            if (t.type() == GgmlType.F32) {
                buf.asFloatBuffer().get(out, base, n);
            } else {
                for (int i = 0; i < n; i++) {
                    out[base + i] = Half.bf16ToFloat(buf.getShort(2 * i));
                }
            }
        });
        return out;
    }

    private short[] halves(GgufTensor t) {
        short[] out = new short[(int) t.elements()];
        forEachChunk(t, (buf, first, count) ->
            buf.asShortBuffer().get(out, (int) (first * t.cols()), (int) (count * t.cols())));
        return out;
    }

    private Q8Matrix q8(GgufTensor t, int rows, int cols) {
        byte[] quants = new byte[rows * cols];
        float[] scales = new float[rows * (cols / Q8Matrix.BLOCK)];
        forEachChunk(t, (buf, first, count) -> {
            int blocks = (int) (count * cols / Q8Matrix.BLOCK);
            int blockBase = (int) (first * cols / Q8Matrix.BLOCK);
            for (int b = 0; b < blocks; b++) {
                int at = b * 34;
                scales[blockBase + b] = Half.toFloat(buf.getShort(at));
                buf.get(at + 2, quants, (blockBase + b) * Q8Matrix.BLOCK, Q8Matrix.BLOCK);
            }
        });
        return new Q8Matrix(quants, scales, rows, cols);
    }

    /** A block-quantized tensor, its blocks copied as they are in the file. */
    private BlockMatrix blocks(GgufTensor t, int rows, int cols) {
        BlockType type = t.type().block();
        int rowBytes = type.rowBytes(cols);
        byte[] data = new byte[Math.multiplyExact(rows, rowBytes)];
        forEachChunk(t, (buf, first, count) -> buf.get(0, data, (int) (first * rowBytes), (int) (count * rowBytes)));
        return new BlockMatrix(type, data, rows, cols);
    }

    private interface ChunkConsumer {
        /** {@code buf} holds rows {@code [first, first+count)} starting at position 0. */
        void accept(ByteBuffer buf, long first, long count);
    }

    private void forEachChunk(GgufTensor t, ChunkConsumer c) {
        long rowBytes = t.type().bytesFor(t.cols());
        long rowsPerChunk = Math.max(1, chunk / rowBytes);
        long rows = t.rows();
        for (long first = 0; first < rows; first += rowsPerChunk) {
            long count = Math.min(rowsPerChunk, rows - first);
            c.accept(file.map(t.offset() + first * rowBytes, count * rowBytes), first, count);
        }
    }

    private void requireMatrixSize(GgufTensor t) {
        if (t.elements() > Integer.MAX_VALUE - 8) {
            throw new ModelFormatException(file.path(), "tensor '" + t.name() + "' has " + t.elements()
                + " elements; at most " + (Integer.MAX_VALUE - 8) + " are supported");
        }
    }
}
