package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * A K-quant matrix's block factors in the form the decode GEMV reads them ({@link Gemv#laneRows}), kept per matrix:
 * they are the same for every token, and decoding them from the block's packed 6-bit fields and halves on every
 * call took a quarter to a third of a Q4_K row's time (bench/README.md, session 20). Q4_K, Q5_K: per block the
 * eight 6-bit scales and eight 6-bit mins as bytes ({@link BlockType#kScale}, {@link BlockType#kMin}) and d, dmin
 * as floats (exact); Q6_K: d as a float (its int8 scales are read from the block). 24 bytes per Q4_K / Q5_K block
 * (+17% over its 144, +14% over Q5_K's 176), 4 per Q6_K block (+2%). The factors are built from the bytes once, on
 * the first call, and kept while the matrix's byte array lives (weak keys): a matrix's bytes must not change
 * after its first matmul (weights never do).
 */
final class KFactors {
    private static final Map<byte[], KFactors> CACHE = Collections.synchronizedMap(new WeakHashMap<>());

    private final BlockType type;
    /** Q4_K, Q5_K: [blocks][16], scales of sub-blocks 0-7 then mins of sub-blocks 0-7; Q6_K: null. */
    final byte[] scales;
    /** Q4_K, Q5_K: [blocks][2], d and dmin; Q6_K: [blocks], d. */
    final float[] d;

    private KFactors(BlockType type, byte[] scales, float[] d) {
        this.type = type;
        this.scales = scales;
        this.d = d;
    }

    /** w's factors (w a Q4_K, Q5_K or Q6_K matrix), built on the first call for its bytes. */
    static KFactors of(BlockMatrix w) {
        KFactors f = CACHE.get(w.data());
        if (f == null || f.type != w.type()) {
            f = build(w.type(), w.data());
            CACHE.put(w.data(), f);
        }
        return f;
    }

    /** The factors of the whole blocks in b, of type t. */
    static KFactors build(BlockType t, byte[] b) {
        int bb = t.blockBytes();
        int blocks = b.length / bb;
        switch (t) {
            case Q4_K, Q5_K -> {
                byte[] scales = new byte[blocks * 16];
                float[] d = new float[blocks * 2];
                for (int i = 0, p = 0; i < blocks; i++, p += bb) {
                    for (int j = 0; j < 8; j++) {
                        scales[16 * i + j] = (byte) BlockType.kScale(b, p + 4, j);
                        scales[16 * i + 8 + j] = (byte) BlockType.kMin(b, p + 4, j);
                    }
                    d[2 * i] = BlockType.half(b, p);
                    d[2 * i + 1] = BlockType.half(b, p + 2);
                }
                return new KFactors(t, scales, d);
            }
            case Q6_K -> {
                float[] d = new float[blocks];
                for (int i = 0, p = 0; i < blocks; i++, p += bb) {
                    d[i] = BlockType.half(b, p + 208);
                }
                return new KFactors(t, null, d);
            }
            default -> throw new IllegalArgumentException(t + " has no K-quant factors");
        }
    }
}
