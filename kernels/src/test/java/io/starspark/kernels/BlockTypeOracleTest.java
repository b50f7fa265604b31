package io.starspark.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Our block dequantization against llama.cpp's gguf-py (goldens from {@code oracle/quants.py}):
 * bit-for-bit f32 on random raw blocks (every quant and scale bit pattern; NaN where gguf-py gives
 * NaN) and on our quantizer's blocks; our quantizer against gguf-py's where gguf-py has one.
 */
class BlockTypeOracleTest {

    @ParameterizedTest
    @EnumSource(BlockType.class)
    void randomBlocksDecodeLikeGgufPy(BlockType t) {
        assertDecodesLike(t, QuantGoldens.bytes(t + ".random.bin"), QuantGoldens.floats(QuantGoldens.bytes(t + ".random.f32")));
    }

    @ParameterizedTest
    @EnumSource(BlockType.class)
    void ourQuantizedBlocksDecodeLikeGgufPy(BlockType t) {
        float[] x = QuantGoldens.floats(QuantGoldens.bytes("inputs.f32"));
        byte[] ours = new byte[t.rowBytes(x.length)];
        t.quantize(x, 0, x.length, ours, 0);
        assertArrayEquals(QuantGoldens.bytes(t + ".ours.bin"), ours, "quantizer output changed since the goldens");
        assertDecodesLike(t, ours, QuantGoldens.floats(QuantGoldens.bytes(t + ".ours.f32")));
    }

    @ParameterizedTest
    @EnumSource(value = BlockType.class, names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1"})
    void quantizerMatchesGgufPy(BlockType t) {
        float[] x = QuantGoldens.floats(QuantGoldens.bytes("inputs.f32"));
        byte[] ours = new byte[t.rowBytes(x.length)];
        t.quantize(x, 0, x.length, ours, 0);
        assertArrayEquals(QuantGoldens.bytes(t + ".ggufpy.bin"), ours);
    }

    /**
     * Quantization error per 256-value group of inputs.f32, relative to the group's RMS, below a
     * per-type bound (levels: 4 bits ≈ 1/15 of the range, 5 bits ≈ 1/31, 6 bits ≈ 1/63, measured
     * 0.09 / 0.06 / 0.05 / 0.035 at worst on normal groups); groups 5 and 13 (values ~1e-6, whose
     * f16 scales underflow exactly as in llama.cpp) are excluded.
     */
    @ParameterizedTest
    @EnumSource(BlockType.class)
    void quantizationErrorIsBounded(BlockType t) {
        float[] x = QuantGoldens.floats(QuantGoldens.bytes("inputs.f32"));
        BlockMatrix m = BlockMatrix.quantize(t, x, x.length / 256, 256);
        double bound = switch (t) {
            case Q4_0, Q4_1, Q4_K -> 0.16;
            case Q5_0, Q5_1, Q5_K -> 0.08;
            case Q6_K -> 0.04;
        };
        float[] row = new float[256];
        for (int g = 0; g < m.rows(); g++) {
            if (g % 8 == 5) {
                continue;
            }
            m.loadRow(g, row, 0);
            double err = 0;
            double rms = 0;
            for (int i = 0; i < 256; i++) {
                err += Math.pow(row[i] - x[g * 256 + i], 2);
                rms += Math.pow(x[g * 256 + i], 2);
            }
            double rel = Math.sqrt(err / rms);
            assertTrue(rel < bound, t + " group " + g + ": relative RMS error " + rel + " >= " + bound);
        }
    }

    /** Both decoders, the scalar and the 16-lane vector one, give gguf-py's bits. */
    private static void assertDecodesLike(BlockType t, byte[] blocks, float[] expect) {
        assertDecodesLike(t, blocks, expect, false);
        assertDecodesLike(t, blocks, expect, true);
    }

    private static void assertDecodesLike(BlockType t, byte[] blocks, float[] expect, boolean vectors) {
        int n = blocks.length / t.blockBytes() * t.blockSize();
        assertEquals(expect.length, n);
        float[] got = new float[n];
        t.dequantize(blocks, 0, n, got, 0, vectors);
        String path = vectors ? " (vector path)" : " (scalar path)";
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(expect[i])) {
                assertTrue(Float.isNaN(got[i]), t + path + " value " + i + ": gguf-py NaN, ours " + got[i]);
            } else {
                assertEquals(Float.floatToRawIntBits(expect[i]), Float.floatToRawIntBits(got[i]),
                        t + path + " value " + i + " (block " + i / t.blockSize() + "): gguf-py " + expect[i] + ", ours " + got[i]);
            }
        }
    }
}
