package io.starspark.model.gguf;

import io.starspark.kernels.BlockType;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Tensor element types this runtime reads, with their GGML type codes and block layouts. */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, BlockType.Q4_0),
    Q4_1(3, BlockType.Q4_1),
    Q5_0(6, BlockType.Q5_0),
    Q5_1(7, BlockType.Q5_1),
    /** Blocks of 32: a 2-byte f16 scale, then 32 int8 quants. */
    Q8_0(8, 32, 34),
    Q4_K(12, BlockType.Q4_K),
    Q5_K(13, BlockType.Q5_K),
    Q6_K(14, BlockType.Q6_K),
    BF16(30, 1, 2);

    /** The supported type names, for error messages. */
    public static final String SUPPORTED = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    private final int code;
    private final int blockSize;
    private final int blockBytes;
    private final BlockType block;

    GgmlType(int code, int blockSize, int blockBytes) {
        this.code = code;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
        this.block = null;
    }

    GgmlType(int code, BlockType block) {
        this.code = code;
        this.blockSize = block.blockSize();
        this.blockBytes = block.blockBytes();
        this.block = block;
    }

    /** The kernels' block type that holds this type raw ({@link io.starspark.kernels.BlockMatrix}), or null. */
    public BlockType block() {
        return block;
    }

    public int code() {
        return code;
    }

    public int blockSize() {
        return blockSize;
    }

    /** Bytes of {@code elements} values; elements must be a multiple of the block size. */
    public long bytesFor(long elements) {
        return elements / blockSize * blockBytes;
    }

    /** The type with GGML code {@code code}, or null if this runtime does not read it. */
    public static GgmlType ofCode(int code) {
        for (GgmlType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** GGML's name for a type code (for error messages), e.g. "Q4_K". */
    public static String nameOf(int code) {
        String[] names = {"F32", "F16", "Q4_0", "Q4_1", "Q4_2", "Q4_3", "Q5_0", "Q5_1", "Q8_0", "Q8_1",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "Q8_K", "IQ2_XXS", "IQ2_XS", "IQ3_XXS", "IQ1_S",
            "IQ4_NL", "IQ3_S", "IQ2_S", "IQ4_XS", "I8", "I16", "I32", "I64", "F64", "IQ1_M", "BF16"};
        return code >= 0 && code < names.length ? names[code] : "code " + code;
    }
}
