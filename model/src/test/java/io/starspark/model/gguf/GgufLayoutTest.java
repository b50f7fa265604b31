package io.starspark.model.gguf;

import io.starspark.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Where the data section starts, and tensor infos the reader must refuse. */
class GgufLayoutTest {
    private static final float[] PAYLOAD = {1.5f, -2.25f, 3.125f, 1e-3f};
    @TempDir
    Path dir;

    /** Index of the first occurrence of {@code needle} in {@code hay}, or -1. */
    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * For every header length modulo the alignment (a metadata string of 0..15 chars moves it byte by
     * byte), the data start is where the first tensor's bytes really are: the header end rounded up to the
     * next multiple of the alignment, never past it.
     */
    @Test
    void dataStartIsTheHeaderEndRoundedUpToTheAlignment() throws IOException {
        ByteBuffer le = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : PAYLOAD) {
            le.putFloat(x);
        }
        for (int alignment : new int[] {8, 16}) {
            for (int pad = 0; pad < 16; pad++) {
                Path p = dir.resolve("a" + alignment + "-" + pad + ".gguf");
                new GgufWriter().alignment(alignment).putString("pad", "x".repeat(pad))
                    .tensor("t", GgmlType.F32, new long[]{4}, (r, dst) -> System.arraycopy(PAYLOAD, 0, dst, 0, 4))
                    .write(p);
                byte[] bytes = Files.readAllBytes(p);
                int payloadAt = indexOf(bytes, le.array());
                try (GgufFile f = GgufFile.open(p)) {
                    String where = "alignment " + alignment + ", pad " + pad;
                    assertEquals(payloadAt, f.dataStart(), where);
                    assertEquals(payloadAt, f.tensor("t").offset(), where);
                    assertEquals(bytes.length, f.length(), where);
                    assertArrayEquals(PAYLOAD, f.floats("t"), where);
                }
            }
        }
    }

    private String openError(String name, GgufWriter w) {
        Path p = dir.resolve(name);
        w.write(p);
        String msg = assertThrows(ModelFormatException.class, () -> GgufFile.open(p).close()).getMessage();
        assertEquals(true, msg.startsWith(p + ": "), msg);
        return msg.substring(p.toString().length() + 2);
    }

    @Test
    void zeroNegativeAndHugeDimensionsAreRefused() {
        assertEquals("tensor 'z' has invalid dimension 0",
            openError("zero.gguf", new GgufWriter().rawTensor("z", 0, new long[]{0}, new byte[0])));
        assertEquals("tensor 'z' has invalid dimension 0",
            openError("zero2.gguf", new GgufWriter().rawTensor("z", 0, new long[]{4, 0}, new byte[0])));
        assertEquals("tensor 'z' has invalid dimension 18446744073709551615",
            openError("neg.gguf", new GgufWriter().rawTensor("z", 0, new long[]{-1}, new byte[0])));
        assertEquals("tensor 'z' has invalid dimension 2147483648",
            openError("huge.gguf", new GgufWriter().rawTensor("z", 0, new long[]{1L << 31}, new byte[0])));
        // the largest allowed dimension passes the header check and fails only on the file's size
        String largest = openError("max.gguf", new GgufWriter().rawTensor("z", 0, new long[]{Integer.MAX_VALUE}, new byte[4]));
        assertEquals(true, largest.startsWith("tensor 'z' (bytes ") && largest.contains("extends past the end"), largest);
    }

    @Test
    void dimensionCountsOutsideOneToFourAreRefused() {
        assertEquals("tensor 'z' has 0 dimensions (1..4 allowed)",
            openError("d0.gguf", new GgufWriter().rawTensor("z", 0, new long[0], new byte[0])));
        assertEquals("tensor 'z' has 5 dimensions (1..4 allowed)",
            openError("d5.gguf", new GgufWriter().rawTensor("z", 0, new long[]{1, 1, 1, 1, 1}, new byte[4])));
        try (GgufFile f = GgufFile.open(write("d4.gguf", new GgufWriter().rawTensor("z", 0, new long[]{1, 1, 1, 1}, new byte[4])))) {
            assertArrayEquals(new long[]{1, 1, 1, 1}, f.tensor("z").dims());
        }
    }

    private Path write(String name, GgufWriter w) {
        Path p = dir.resolve(name);
        w.write(p);
        return p;
    }

    /**
     * The widening path of the plain types against what was written: F32 exactly, F16 exactly as
     * {@code Half} rounds, BF16 to 8 significant bits, Q8_0 to half a step of its block's absmax/127 plus
     * the rounding of its f16 scale.
     */
    @Test
    void floatsOfThePlainTypesAreWhatWasWritten() {
        int rows = 3;
        int cols = 64;
        long seed = Long.getLong("starspark.test.seed", 20261209L);
        System.out.println("GgufLayoutTest seed " + seed);
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) r.nextGaussian();
        }
        GgmlType[] types = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0};
        GgufWriter w = new GgufWriter();
        for (GgmlType type : types) {
            w.tensor(type.name(), type, new long[]{cols, rows}, (row, dst) -> System.arraycopy(d, (int) row * cols, dst, 0, cols));
        }
        try (GgufFile f = GgufFile.open(write("types.gguf", w))) {
            for (GgmlType type : types) {
                float[] flat = f.floats(type.name());
                assertEquals(rows * cols, flat.length, type.name());
                for (int i = 0; i < flat.length; i++) {
                    String at = type + " element " + i;
                    switch (type) {
                        case F32 -> assertEquals(d[i], flat[i], at);
                        case F16 -> assertEquals(io.starspark.kernels.Half.toFloat(io.starspark.kernels.Half.fromFloat(d[i])), flat[i], at);
                        case BF16 -> assertEquals(d[i], flat[i], Math.abs(d[i]) * 0x1p-8, at);
                        default -> {
                            float absmax = 0;
                            for (int j = i / 32 * 32; j < i / 32 * 32 + 32; j++) {
                                absmax = Math.max(absmax, Math.abs(d[j]));
                            }
                            // half a step (absmax/127) plus the scale's f16 rounding (2^-11 of it) times |q| <= 127
                            assertEquals(d[i], flat[i], absmax * (0.5 / 127 + 0x1p-11) + 1e-6, at);
                        }
                    }
                }
            }
        }
    }
}
