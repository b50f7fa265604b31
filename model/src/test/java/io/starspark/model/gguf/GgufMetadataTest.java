package io.starspark.model.gguf;

import io.starspark.model.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The typed metadata getters at their limits, the alignment's range, BF16 rounding, and files released on refusal. */
class GgufMetadataTest {
    @TempDir
    Path dir;

    private GgufFile open(GgufWriter w) {
        Path p = dir.resolve("m" + System.nanoTime() + ".gguf");
        w.write(p);
        return GgufFile.open(p);
    }

    private static String refused(GgufFile f, Executable e) {
        String m = assertThrows(ModelFormatException.class, e).getMessage();
        assertTrue(m.startsWith(f.path() + ": "), m);
        return m.substring(f.path().toString().length() + 2);
    }

    @Test
    void gettersConvertWhatFitsAndNameWhatDoesNot() {
        GgufWriter w = new GgufWriter()
            .put("i64max", new GgufValue(GgufValueType.INT64, (long) Integer.MAX_VALUE))
            .put("i64over", new GgufValue(GgufValueType.INT64, Integer.MAX_VALUE + 1L))
            .put("i64min", new GgufValue(GgufValueType.INT64, (long) Integer.MIN_VALUE))
            .put("i64under", new GgufValue(GgufValueType.INT64, Integer.MIN_VALUE - 1L))
            .putUint32("u32", 7).putFloat32("f32", 2.5f).putString("s", "text")
            .put("f64", new GgufValue(GgufValueType.FLOAT64, -0.125))
            .put("ints", GgufValue.ofArray(GgufValueType.INT64, List.of(3L, (long) Integer.MIN_VALUE,
                (long) Integer.MAX_VALUE)))
            .put("bigs", GgufValue.ofArray(GgufValueType.INT64, List.of(1L, Integer.MAX_VALUE + 1L)))
            .put("smalls", GgufValue.ofArray(GgufValueType.INT64, List.of(Integer.MIN_VALUE - 1L)))
            .put("halves", GgufValue.ofArray(GgufValueType.FLOAT64, List.of(0.5, -1.5)))
            .put("small", GgufValue.ofArray(GgufValueType.UINT8, List.of(1, 255)));
        try (GgufFile f = open(w)) {
            assertEquals(Integer.MAX_VALUE, f.getInt("i64max"));
            assertEquals(Integer.MIN_VALUE, f.getInt("i64min"));
            assertEquals("metadata key 'i64over' = 2147483648 does not fit in an int", refused(f, () -> f.getInt("i64over")));
            assertEquals("metadata key 'i64under' = -2147483649 does not fit in an int",
                refused(f, () -> f.getInt("i64under")));
            assertEquals(7, f.getInt("u32", 9));
            assertEquals(9, f.getInt("absent", 9));
            assertEquals("metadata key 'f32' must be an integer (is FLOAT32)", refused(f, () -> f.getInt("f32")));
            assertEquals(7.0, f.getDouble("u32"), "an integer is a number");
            assertEquals(2.5, f.getDouble("f32"));
            assertEquals(-0.125, f.getDouble("f64"));
            assertEquals(4.5, f.getDouble("absent", 4.5));
            assertEquals(2.5, f.getDouble("f32", 4.5));
            assertEquals("metadata key 's' must be a number (is STRING)", refused(f, () -> f.getDouble("s")));
            assertEquals("metadata key 'u32' must be a string (is UINT32)", refused(f, () -> f.getString("u32")));
            assertEquals("metadata key 's' must be an array (is STRING)", refused(f, () -> f.getArray("s")));
            assertEquals("missing required key 'absent'", refused(f, () -> f.getString("absent")));
            assertArrayEquals(new int[] {3, Integer.MIN_VALUE, Integer.MAX_VALUE}, f.getInts("ints"));
            assertArrayEquals(new int[] {1, 255}, f.getInts("small"));
            assertEquals("metadata key 'bigs' element 1 = 2147483648 does not fit in an int",
                refused(f, () -> f.getInts("bigs")));
            assertEquals("metadata key 'smalls' element 0 = -2147483649 does not fit in an int",
                refused(f, () -> f.getInts("smalls")));
            assertArrayEquals(new float[] {0.5f, -1.5f}, f.getFloats("halves"));
            assertArrayEquals(new float[] {3f, Integer.MIN_VALUE, Integer.MAX_VALUE}, f.getFloats("ints"),
                "integers widen to float");
            assertEquals("metadata key 'halves' must be an array of strings (is an array of FLOAT64)",
                refused(f, () -> f.getStrings("halves")));
        }
    }

    @Test
    void alignmentIsAPowerOfTwoUpToOneMebibyte() {
        try (GgufFile f = open(new GgufWriter().alignment(1 << 20).tensor("t", GgmlType.F32, new long[] {2},
            (r, dst) -> dst[1] = 3f))) {
            assertEquals(1 << 20, f.alignment());
            assertEquals(1 << 20, f.dataStart());
            assertArrayEquals(new float[] {0f, 3f}, f.floats("t"));
        }
        try (GgufFile f = open(new GgufWriter().alignment(1))) {
            assertEquals(1, f.alignment());
        }
        for (long bad : new long[] {1 << 21, 0, 48, -64}) {
            Path p = dir.resolve("a" + bad + ".gguf");
            new GgufWriter().put("general.alignment", new GgufValue(GgufValueType.INT64, bad)).write(p);
            assertEquals(p + ": general.alignment must be a power of two (got " + bad + ")",
                assertThrows(ModelFormatException.class, () -> GgufFile.open(p)).getMessage());
        }
        Path p = dir.resolve("astring.gguf");
        new GgufWriter().putString("general.alignment", "32").write(p);
        assertEquals(p + ": metadata key 'general.alignment' must be an integer (is STRING)",
            assertThrows(ModelFormatException.class, () -> GgufFile.open(p)).getMessage());
        for (int bad : new int[] {0, -8, 24}) {
            assertEquals("alignment must be a power of two (got " + bad + ")",
                assertThrows(IllegalArgumentException.class, () -> new GgufWriter().alignment(bad)).getMessage());
        }
    }

    /**
     * ggml's GGML_FP32_TO_BF16: round to nearest, ties to even, on the upper 16 bits; a NaN keeps its sign and
     * upper bits and is made quiet. Values chosen at the rounding boundaries of 1.0 (bf16 step 2^-7 there).
     */
    @Test
    void bf16RoundsToNearestEvenLikeGgml() {
        assertEquals(0x3F80, GgufWriter.bf16(1f));
        assertEquals(0x3F80, GgufWriter.bf16(1f + 0x1p-8f), "half way, 1.0 is even");
        assertEquals(0x3F82, GgufWriter.bf16(1f + 3 * 0x1p-8f), "half way, 1.015625 is even");
        assertEquals(0x3F81, GgufWriter.bf16(1f + 0x1p-8f + 0x1p-20f), "past half way");
        assertEquals(0x3F80, GgufWriter.bf16(1f + 0x1p-8f - 0x1p-20f), "short of half way");
        assertEquals(0xBF81, GgufWriter.bf16(-1f - 0x1p-8f - 0x1p-20f), "sign kept");
        assertEquals(0x7F80, GgufWriter.bf16(Float.POSITIVE_INFINITY));
        assertEquals(0x7FC0, GgufWriter.bf16(Float.intBitsToFloat(0x7F800001)), "a signalling NaN is made quiet");
        assertEquals(0xFFC1, GgufWriter.bf16(Float.intBitsToFloat(0xFFC10000)), "a NaN's sign and payload kept");
        try (GgufFile f = open(new GgufWriter().tensor("b", GgmlType.BF16, new long[] {3},
            (r, dst) -> {
                dst[0] = 1f + 3 * 0x1p-8f;
                dst[1] = -2.5f;
                dst[2] = 1f + 0x1p-8f;
            }))) {
            assertArrayEquals(new float[] {1f + 0x1p-6f, -2.5f, 1f}, f.floats("b"));
        }
    }

    private Path bytes(String name, ByteBuffer b) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, Arrays.copyOf(b.array(), b.position()));
        return p;
    }

    private static ByteBuffer header(int tensors, int kvs) {
        ByteBuffer b = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        return b.putInt(GgufHeaderReader.MAGIC).putInt(3).putLong(tensors).putLong(kvs);
    }

    /** Counts and strings at the file's end: what fits exactly is read, one byte more is a truncated file. */
    @Test
    void theHeaderMayEndExactlyAtTheFilesEnd() throws Exception {
        Path magicOnly = bytes("magic.gguf", ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(GgufHeaderReader.MAGIC));
        assertEquals(magicOnly + ": truncated file: header ends past the end of the file (4 bytes)",
            assertThrows(ModelFormatException.class, () -> GgufFile.open(magicOnly)).getMessage());
        Path counted = bytes("count.gguf", header(24, 0)); // 24 bytes: a tensor count of 24 is not refused as a count
        assertEquals(counted + ": truncated file: header ends past the end of the file (24 bytes)",
            assertThrows(ModelFormatException.class, () -> GgufFile.open(counted)).getMessage());
        ByteBuffer b = header(0, 1).putLong(1).put((byte) 'k').putInt(GgufValueType.STRING.code()).putLong(2)
            .put((byte) 'h').put((byte) 'i');
        Path exact = bytes("exact.gguf", b);
        try (GgufFile f = GgufFile.open(exact)) {
            assertEquals("hi", f.getString("k"));
            assertEquals(47, f.length());
        }
    }

    /**
     * Metadata of every width past the writer's 1 MiB buffer, after an odd-length string so values straddle its
     * flushes: read back equal, and the data section still starts aligned after the long header.
     */
    @Test
    void headersLongerThanTheWriteBufferRoundTrip() {
        int bytes = 1_100_000; // each array a little over the buffer: every one crosses a flush
        List<Integer> u8 = new java.util.ArrayList<>();
        List<Integer> u16 = new java.util.ArrayList<>();
        List<Integer> i32 = new java.util.ArrayList<>();
        List<Long> u64 = new java.util.ArrayList<>();
        List<Double> f64 = new java.util.ArrayList<>();
        List<Float> f32 = new java.util.ArrayList<>();
        for (int i = 0; i < bytes; i++) {
            u8.add(i & 0xff);
            if (i < bytes / 2) {
                u16.add(i & 0xffff);
            }
            if (i < bytes / 4) {
                i32.add(i * 7919);
                f32.add(i / 7f);
            }
            if (i < bytes / 8) {
                u64.add((long) i << 20);
                f64.add(i / 3.0);
            }
        }
        GgufWriter w = new GgufWriter().putString("odd", "abc").put("i", GgufValue.ofInt32(-5))
            .putString("long", "x".repeat(1_500_000))
            .put("u8", GgufValue.ofArray(GgufValueType.UINT8, u8)).put("u16", GgufValue.ofArray(GgufValueType.UINT16, u16))
            .put("i32", GgufValue.ofArray(GgufValueType.INT32, i32)).put("u64", GgufValue.ofArray(GgufValueType.UINT64, u64))
            .put("f64", GgufValue.ofArray(GgufValueType.FLOAT64, f64)).put("f32", GgufValue.ofArray(GgufValueType.FLOAT32, f32))
            .tensor("t", GgmlType.F32, new long[] {3}, (r, dst) -> dst[2] = 4f);
        try (GgufFile f = open(w)) {
            assertEquals(w.metadata(), f.metadata());
            assertEquals(-5, f.getInt("i"));
            assertEquals(0, f.dataStart() % GgufFile.DEFAULT_ALIGNMENT);
            assertTrue(f.dataStart() > 7L * bytes, "a header of several MiB");
            assertArrayEquals(new float[] {0f, 0f, 4f}, f.floats("t"));
        }
    }

    @Test
    void typeCodesOutsideTheTablesAreNamed() throws Exception {
        assertEquals("F32", GgmlType.nameOf(0));
        assertEquals("BF16", GgmlType.nameOf(30));
        assertEquals("code 31", GgmlType.nameOf(31));
        assertEquals("code -1", GgmlType.nameOf(-1));
        ByteBuffer b = header(0, 1).putLong(1).put((byte) 'k').putInt(GgufValueType.values().length).putInt(0);
        Path p = bytes("type.gguf", b);
        assertEquals(p + ": corrupt metadata: unknown value type code 13",
            assertThrows(ModelFormatException.class, () -> GgufFile.open(p)).getMessage());
    }

    /** A tensor's bytes past the end of the file: the message gives its byte range and the file's length. */
    @Test
    void aTensorPastTheEndNamesItsBytes() throws Exception {
        Path p = dir.resolve("short.gguf");
        new GgufWriter().rawTensor("t", GgmlType.F32.code(), new long[] {8}, new byte[4]).write(p);
        long length = Files.size(p);
        long start = length - 4; // the only tensor's data, 4 of its 32 bytes, ends the file
        assertEquals(p + ": tensor 't' (bytes " + start + ".." + (start + 32) + ") extends past the end of the file ("
            + length + " bytes)", assertThrows(ModelFormatException.class, () -> GgufFile.open(p)).getMessage());
    }

    /** A tensor past 2^31 - 9 elements (8 GiB of F32 here, a sparse file) is refused by name, not by a crash. */
    @Test
    void tensorsTooLargeForOneArrayAreRefused() throws Exception {
        Path p = dir.resolve("big.gguf");
        new GgufWriter().rawTensor("big", GgmlType.F32.code(), new long[] {65536, 32768}, new byte[0]).write(p);
        try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
            raf.setLength(Files.size(p) + (8L << 30));
        }
        try (GgufFile f = GgufFile.open(p)) {
            String expected = p + ": tensor 'big' has 2147483648 elements; at most 2147483639 are supported";
            assertEquals(expected, assertThrows(ModelFormatException.class, () -> f.matrix("big")).getMessage());
            assertEquals(expected, assertThrows(ModelFormatException.class, () -> f.floats("big")).getMessage());
        }
    }

    /** A refused file releases its handle: an executor that is handed bad files must not run out of them. */
    @Test
    void aRefusedFileIsClosed() throws Exception {
        Path fds = Path.of("/proc/self/fd");
        assumeTrue(Files.isDirectory(fds), "needs /proc/self/fd (Linux)");
        Path bad = dir.resolve("bad.gguf");
        Files.write(bad, new byte[] {'G', 'G', 'U', 'F', 9, 0, 0, 0});
        long before = count(fds);
        for (int i = 0; i < 50; i++) {
            assertThrows(ModelFormatException.class, () -> GgufFile.open(bad));
        }
        long after = count(fds);
        assertTrue(after - before < 10, "open file handles went from " + before + " to " + after);
        Path good = dir.resolve("good.gguf");
        new GgufWriter().putString("k", "v").write(good);
        for (int i = 0; i < 50; i++) {
            GgufFile.open(good).close();
        }
        long closed = count(fds);
        assertTrue(closed - before < 10, "open file handles went from " + before + " to " + closed + " (closed files)");
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }
}
