package io.starspark.kernels.jvm;

import static io.starspark.kernels.jvm.Gaussians.gaussian;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link KFactors}: every block's fields as the reference reads them ({@link BlockType#kScale}, {@link BlockType#kMin},
 * {@link BlockType#half}, bit for bit, Inf, NaN and subnormal halves included), and one build per matrix's bytes.
 * (What the GEMV makes of them: {@code KQuantRowsTest}, {@code KernelsContract}.)
 */
class KFactorsTest {
    /** Halves put into some blocks' d / dmin: subnormal, zero, negative, Inf, NaN with a payload. */
    private static final int[] SPECIAL_HALVES = {0x0001, 0x03ff, 0x8000, 0xbc00, 0x7c00, 0xfc00, 0x7e01};

    @Test
    void factorsAreEachBlocksScalesMinsAndHalvesAsTheReferenceReadsThem() {
        long seed = 7;
        System.out.println("seed " + seed);
        Random r = new Random(seed);
        int rows = 5;
        int cols = 768;
        for (BlockType type : new BlockType[] {BlockType.Q4_K, BlockType.Q5_K, BlockType.Q6_K}) {
            byte[] b = BlockMatrix.quantize(type, gaussian(r, rows * cols), rows, cols).data();
            int bb = type.blockBytes();
            int blocks = b.length / bb;
            for (int i = 0; i < SPECIAL_HALVES.length; i++) {
                int at = (2 * i + 1) * bb + (type == BlockType.Q6_K ? 208 : 2 * (i % 2));
                b[at] = (byte) SPECIAL_HALVES[i];
                b[at + 1] = (byte) (SPECIAL_HALVES[i] >> 8);
            }
            KFactors f = KFactors.build(type, b);
            if (type == BlockType.Q6_K) {
                assertNull(f.scales, "Q6_K reads its int8 scales from the block");
                assertEquals(blocks, f.d.length);
                for (int i = 0; i < blocks; i++) {
                    assertEquals(Float.floatToRawIntBits(BlockType.half(b, i * bb + 208)), Float.floatToRawIntBits(f.d[i]),
                            type + " block " + i + " d");
                }
                continue;
            }
            assertEquals(16 * blocks, f.scales.length);
            assertEquals(2 * blocks, f.d.length);
            for (int i = 0; i < blocks; i++) {
                int p = i * bb;
                for (int j = 0; j < 8; j++) {
                    assertEquals(BlockType.kScale(b, p + 4, j), f.scales[16 * i + j], type + " block " + i + " scale " + j);
                    assertEquals(BlockType.kMin(b, p + 4, j), f.scales[16 * i + 8 + j], type + " block " + i + " min " + j);
                }
                assertEquals(Float.floatToRawIntBits(BlockType.half(b, p)), Float.floatToRawIntBits(f.d[2 * i]),
                        type + " block " + i + " d");
                assertEquals(Float.floatToRawIntBits(BlockType.half(b, p + 2)), Float.floatToRawIntBits(f.d[2 * i + 1]),
                        type + " block " + i + " dmin");
            }
        }
    }

    @Test
    void oneBuildPerMatrixBytesAndTypeKeptWhileTheBytesLive() {
        Random r = new Random(3);
        BlockMatrix q4 = BlockMatrix.quantize(BlockType.Q4_K, gaussian(r, 11 * 256), 11, 256); // 11 x 144 bytes
        KFactors first = KFactors.of(q4);
        assertSame(first, KFactors.of(q4), "built again for the same bytes");
        assertSame(first, KFactors.of(new BlockMatrix(BlockType.Q4_K, q4.data(), 11, 256)), "another record, same bytes");
        BlockMatrix copy = new BlockMatrix(BlockType.Q4_K, q4.data().clone(), 11, 256);
        assertNotSame(first, KFactors.of(copy), "other bytes share factors");
        // the same 1584 bytes read as 9 Q5_K blocks: that type's factors, not Q4_K's
        BlockMatrix q5 = new BlockMatrix(BlockType.Q5_K, q4.data(), 9, 256);
        KFactors asQ5 = KFactors.of(q5);
        assertEquals(18, asQ5.d.length);
        assertEquals(Float.floatToRawIntBits(BlockType.half(q4.data(), 176)), Float.floatToRawIntBits(asQ5.d[2]));
        assertSame(asQ5, KFactors.of(q5));
    }

    @Test
    void typesWithoutKQuantFactorsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KFactors.build(BlockType.Q4_0, new byte[18]));
        assertEquals("Q4_0 has no K-quant factors", e.getMessage());
    }
}
