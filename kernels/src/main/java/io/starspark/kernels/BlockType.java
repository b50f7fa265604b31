package io.starspark.kernels;

/**
 * GGML block-quantized tensor types stored as their raw blocks ({@link BlockMatrix}): the block
 * layouts of ggml-common.h and the dequantization of ggml-quants.c, float operation for float
 * operation (products and sums in the same order, no fused multiply-add), so a value decodes to the
 * same f32 bits as in llama.cpp. All multi-byte fields are little-endian; {@code d}, {@code m},
 * {@code dmin} are IEEE half floats.
 *
 * <pre>
 * Q4_0  32 values, 18 B: d, qs[16]             x = (nibble - 8)·d        (low nibbles: values 0..15, high: 16..31)
 * Q4_1  32 values, 20 B: d, m, qs[16]          x = nibble·d + m
 * Q5_0  32 values, 22 B: d, qh[4], qs[16]      x = (nibble | bit&lt;&lt;4 - 16)·d  (qh bit j is the 5th bit of value j)
 * Q5_1  32 values, 24 B: d, m, qh[4], qs[16]   x = (nibble | bit&lt;&lt;4)·d + m
 * Q4_K 256 values, 144 B: d, dmin, scales[12], qs[128]            8 sub-blocks of 32, 6-bit scale and min each
 * Q5_K 256 values, 176 B: d, dmin, scales[12], qh[32], qs[128]    as Q4_K plus a 5th bit per value
 * Q6_K 256 values, 210 B: ql[128], qh[64], scales[16] (int8), d   16 sub-blocks of 16, x = d·scale·(q - 32)
 * </pre>
 */
public enum BlockType {
    Q4_0(32, 18) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            legacy(b, at, y, o, false, false);
        }
    },
    Q4_1(32, 20) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            legacy(b, at, y, o, true, false);
        }
    },
    Q5_0(32, 22) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            legacy(b, at, y, o, false, true);
        }
    },
    Q5_1(32, 24) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            legacy(b, at, y, o, true, true);
        }
    },
    Q4_K(256, 144) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            kQuant(b, at, -1, at + 16, y, o);
        }

    },
    Q5_K(256, 176) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            kQuant(b, at, at + 16, at + 48, y, o);
        }

    },
    Q6_K(256, 210) {
        @Override
        void scalar(byte[] b, int at, float[] y, int o) {
            float d = half(b, at + 208);
            for (int n = 0; n < 2; n++) {
                int ql = at + 64 * n;
                int qh = at + 128 + 32 * n;
                int sc = at + 192 + 8 * n;
                int yo = o + 128 * n;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int h = b[qh + l] & 0xff;
                    int lo = b[ql + l] & 0xff;
                    int lo32 = b[ql + l + 32] & 0xff;
                    int q1 = ((lo & 0x0f) | ((h & 3) << 4)) - 32;
                    int q2 = ((lo32 & 0x0f) | (((h >>> 2) & 3) << 4)) - 32;
                    int q3 = ((lo >>> 4) | (((h >>> 4) & 3) << 4)) - 32;
                    int q4 = ((lo32 >>> 4) | (((h >>> 6) & 3) << 4)) - 32;
                    y[yo + l] = d * b[sc + is] * q1;
                    y[yo + l + 32] = d * b[sc + is + 2] * q2;
                    y[yo + l + 64] = d * b[sc + is + 4] * q3;
                    y[yo + l + 96] = d * b[sc + is + 6] * q4;
                }
            }
        }

    };

    private final int blockSize;
    private final int blockBytes;

    BlockType(int blockSize, int blockBytes) {
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** Values per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** Bytes of one row of {@code cols} values ({@code cols} a multiple of the block size). */
    public int rowBytes(int cols) {
        return cols / blockSize * blockBytes;
    }

    /**
     * {@code y[o .. o + blockSize)} = the block starting at {@code b[at]}, one value at a time
     * ({@link BlockVectors} is its 16-lane twin, same bits).
     */
    abstract void scalar(byte[] b, int at, float[] y, int o);

    /** Quantizes {@code n} values (a multiple of the block size) into blocks at {@code dst[at]}. */
    public void quantize(float[] x, int xOff, int n, byte[] dst, int at) {
        BlockQuantizer.quantize(this, x, xOff, n, dst, at);
    }

    /** Decodes {@code n} values (whole blocks) starting at {@code src[at]}: the one decoder of these types. */
    public void dequantize(byte[] src, int at, int n, float[] dst, int off) {
        dequantize(src, at, n, dst, off, BlockVectors.ENABLED);
    }

    /** As {@link #dequantize(byte[], int, int, float[], int)} on the vector or the scalar path (tests run both). */
    void dequantize(byte[] src, int at, int n, float[] dst, int off, boolean vectors) {
        for (int i = 0; i < n; i += blockSize) {
            if (vectors) {
                BlockVectors.dequantize(this, src, at + i / blockSize * blockBytes, dst, off + i);
            } else {
                scalar(src, at + i / blockSize * blockBytes, dst, off + i);
            }
        }
    }

    /** The little-endian IEEE half at {@code b[at]}, as float. */
    public static float half(byte[] b, int at) {
        return Half.toFloat((short) ((b[at] & 0xff) | (b[at + 1] << 8)));
    }

    static int int32(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8 | (b[at + 2] & 0xff) << 16 | (b[at + 3] & 0xff) << 24;
    }

    /**
     * Q4_0, Q4_1, Q5_0, Q5_1: d (and m with a min), (qh with a 5th bit), 16 bytes of nibbles;
     * y = q·d + m with a min, else (q − 2^(bits−1))·d (integer subtraction first, as ggml).
     */
    private static void legacy(byte[] b, int at, float[] y, int o, boolean withMin, boolean fiveBits) {
        float d = half(b, at);
        float m = withMin ? half(b, at + 2) : 0f;
        int qhAt = withMin ? at + 4 : at + 2;
        int qh = fiveBits ? int32(b, qhAt) : 0;
        int qs = fiveBits ? qhAt + 4 : qhAt;
        int offset = fiveBits ? 16 : 8;
        for (int j = 0; j < 16; j++) {
            int q = b[qs + j] & 0xff;
            int q0 = (q & 0x0f) | (((qh >>> j) << 4) & 0x10);
            int q1 = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
            if (withMin) {
                y[o + j] = q0 * d + m;
                y[o + j + 16] = q1 * d + m;
            } else {
                y[o + j] = (q0 - offset) * d;
                y[o + j + 16] = (q1 - offset) * d;
            }
        }
    }

    /**
     * Q4_K ({@code qh < 0}) or Q5_K: per 64 values j, sub-blocks 2j (low nibbles) and 2j+1 (high
     * nibbles) of the 32 bytes at {@code ql + 32j}, plus bit 2j / 2j+1 of {@code b[qh + l]} as 16 (Q5_K);
     * y = d·scale·q − dmin·min.
     */
    private static void kQuant(byte[] b, int at, int qh, int ql, float[] y, int o) {
        float d = half(b, at);
        float min = half(b, at + 2);
        for (int j = 0; j < 4; j++) {
            float d1 = d * kScale(b, at + 4, 2 * j);
            float m1 = min * kMin(b, at + 4, 2 * j);
            float d2 = d * kScale(b, at + 4, 2 * j + 1);
            float m2 = min * kMin(b, at + 4, 2 * j + 1);
            for (int l = 0; l < 32; l++) {
                int q = b[ql + 32 * j + l] & 0xff;
                int h = qh < 0 ? 0 : (b[qh + l] & 0xff) >>> (2 * j);
                y[o + 64 * j + l] = d1 * ((q & 0x0f) + (h & 1) * 16) - m1;
                y[o + 64 * j + 32 + l] = d2 * ((q >>> 4) + (h & 2) * 8) - m2;
            }
        }
    }

    /** 6-bit scale of K-quant sub-block {@code j} (ggml's get_scale_min_k4), scales at {@code b[s..s+12)}. */
    public static int kScale(byte[] b, int s, int j) {
        if (j < 4) {
            return b[s + j] & 63;
        }
        return (b[s + j + 4] & 0x0f) | (((b[s + j - 4] & 0xff) >>> 6) << 4);
    }

    /** 6-bit min of K-quant sub-block {@code j}, scales at {@code b[s..s+12)}. */
    public static int kMin(byte[] b, int s, int j) {
        if (j < 4) {
            return b[s + j + 4] & 63;
        }
        return ((b[s + j + 4] & 0xff) >>> 4) | (((b[s + j] & 0xff) >>> 6) << 4);
    }
}
