package io.starspark.model.gguf;

import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

class GgufRoundTripTest {
    private static final long SEED = 42L;
    @TempDir
    Path dir;

    private static float[] data(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] d = new float[n];
        for (int i = 0; i < n; i++) {
            d[i] = (float) r.nextGaussian();
        }
        return d;
    }

    private static GgufWriter.RowSource rows(float[] d, int cols) {
        return (r, dst) -> System.arraycopy(d, (int) r * cols, dst, 0, cols);
    }

    @Test
    void metadataOfEveryTypeRoundTrips() {
        GgufWriter w = new GgufWriter().alignment(64)
            .put("u8", new GgufValue(GgufValueType.UINT8, 255))
            .put("i8", new GgufValue(GgufValueType.INT8, -128))
            .put("u16", new GgufValue(GgufValueType.UINT16, 65535))
            .put("i16", new GgufValue(GgufValueType.INT16, -32768))
            .put("u32", new GgufValue(GgufValueType.UINT32, 4294967295L))
            .put("i32", new GgufValue(GgufValueType.INT32, Integer.MIN_VALUE))
            .put("f32", GgufValue.ofFloat32(1.5f))
            .put("bool", GgufValue.ofBool(true))
            .put("str", GgufValue.ofString("été 日本 ▁"))
            .put("u64", new GgufValue(GgufValueType.UINT64, -1L))
            .put("i64", new GgufValue(GgufValueType.INT64, Long.MIN_VALUE))
            .put("f64", new GgufValue(GgufValueType.FLOAT64, Math.PI))
            .put("arr", GgufValue.ofArray(GgufValueType.STRING, List.of("a", "", "ü")))
            .put("nested", GgufValue.ofArray(GgufValueType.ARRAY, List.of(
                new GgufValue.Array(GgufValueType.INT16, List.of(1, -2)),
                new GgufValue.Array(GgufValueType.FLOAT32, List.of(0.25f)))))
            .tensor("t", GgmlType.F32, new long[]{3}, (r, dst) -> dst[0] = dst[1] = dst[2] = 7f);
        Path p = dir.resolve("meta.gguf");
        w.write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(3, f.version());
            assertEquals(64, f.alignment());
            assertEquals(w.metadata(), f.metadata());
            assertEquals(255, f.getInt("u8"));
            assertEquals(Math.PI, f.getDouble("f64"));
            assertEquals(0, f.dataStart() % 64);
            assertArrayEquals(new float[]{7f, 7f, 7f}, f.floats("t"));
        }
    }

    @Test
    void tensorsOfEveryTypeRoundTripInVersion2() {
        int rows = 5;
        int cols = 64;
        float[] d = data(rows * cols, SEED);
        System.out.println("GgufRoundTripTest seed " + SEED);
        Path p = dir.resolve("t.gguf");
        new GgufWriter().version(2)
            .tensor("f32", GgmlType.F32, new long[]{cols, rows}, rows(d, cols))
            .tensor("f16", GgmlType.F16, new long[]{cols, rows}, rows(d, cols))
            .tensor("bf16", GgmlType.BF16, new long[]{cols, rows}, rows(d, cols))
            .tensor("q8", GgmlType.Q8_0, new long[]{cols, rows}, rows(d, cols))
            .tensor("norm", GgmlType.F32, new long[]{cols}, rows(d, cols))
            .write(p);
        try (GgufFile f = GgufFile.open(p)) {
            assertEquals(2, f.version());
            assertArrayEquals(d, ((F32Matrix) f.matrix("f32")).data());
            F16Matrix h = assertInstanceOf(F16Matrix.class, f.matrix("f16"));
            for (int i = 0; i < d.length; i++) {
                assertEquals(Half.fromFloat(d[i]), h.data()[i]);
            }
            assertClose(d, f.matrix("bf16"), 1f / 128);
            Q8Matrix q = assertInstanceOf(Q8Matrix.class, f.matrix("q8"));
            assertClose(d, q, 1f / 100);
            assertArrayEquals(java.util.Arrays.copyOf(d, cols), f.floats("norm"));
            assertEquals(f.tensor("q8").bytes(), rows * cols / 32 * 34L);
        }
    }

    /** Relative error per element, bounded by {@code rel} of the block's magnitude. */
    private static void assertClose(float[] expected, Matrix m, float rel) {
        float[] row = new float[m.cols()];
        for (int r = 0; r < m.rows(); r++) {
            m.loadRow(r, row, 0);
            for (int c = 0; c < m.cols(); c++) {
                float e = expected[r * m.cols() + c];
                assertEquals(e, row[c], rel * Math.max(1f, Math.abs(e)) * 3, "(" + r + "," + c + ")");
            }
        }
    }
}
