package io.starspark.model.gguf;

import io.starspark.kernels.Half;
import io.starspark.kernels.Q8Matrix;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF files (v3 by default): typed metadata and tensors (F32, F16, BF16, Q8_0 and the block types of {@link GgmlType}) encoded
 * from rows supplied on demand, so files larger than memory stream straight to disk. Tests also
 * use it to write deliberately broken files (raw type codes, other versions).
 */
public final class GgufWriter {
    /** Supplies row {@code r} (of {@code dims[0]} floats) of a tensor into {@code dst}. */
    @FunctionalInterface
    public interface RowSource {
        void row(long r, float[] dst);
    }

    private record Spec(String name, int typeCode, long[] dims, long bytes, RowSource rows, byte[] raw) {
    }

    private final Map<String, GgufValue> metadata = new LinkedHashMap<>();
    private final List<Spec> tensors = new ArrayList<>();
    private int version = 3;
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    /** The version number written in the header (the layout written is always v2/v3's). */
    public GgufWriter version(int v) {
        this.version = v;
        return this;
    }

    /** Sets the data alignment and records it as {@code general.alignment}. */
    public GgufWriter alignment(int a) {
        if (a <= 0 || Integer.bitCount(a) != 1) {
            throw new IllegalArgumentException("alignment must be a power of two (got " + a + ")");
        }
        this.alignment = a;
        metadata.put("general.alignment", GgufValue.ofUint32(a));
        return this;
    }

    public GgufWriter put(String key, GgufValue value) {
        metadata.put(key, value);
        return this;
    }

    public GgufWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    public GgufWriter putString(String key, String v) {
        return put(key, GgufValue.ofString(v));
    }

    public GgufWriter putUint32(String key, long v) {
        return put(key, GgufValue.ofUint32(v));
    }

    public GgufWriter putFloat32(String key, float v) {
        return put(key, GgufValue.ofFloat32(v));
    }

    /** A tensor of {@code type} with GGML dims (dims[0] innermost), encoded row by row from {@code rows}. */
    public GgufWriter tensor(String name, GgmlType type, long[] dims, RowSource rows) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        if (dims[0] % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " tensor '" + name + "' needs dims[0] % " + type.blockSize()
                + " == 0 (got " + dims[0] + ")");
        }
        tensors.add(new Spec(name, type.code(), dims.clone(), type.bytesFor(elements), rows, null));
        return this;
    }

    /** A tensor with an arbitrary type code and raw data bytes (for broken-file tests). */
    public GgufWriter rawTensor(String name, int typeCode, long[] dims, byte[] data) {
        tensors.add(new Spec(name, typeCode, dims.clone(), data.length, null, data.clone()));
        return this;
    }

    /** The metadata as it will be written (for round-trip tests). */
    public Map<String, GgufValue> metadata() {
        return java.util.Collections.unmodifiableMap(metadata);
    }

    public void write(Path out) {
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                 StandardOpenOption.TRUNCATE_EXISTING);
             LeOutput o = new LeOutput(ch)) {
            writeHeader(o);
            for (Spec t : tensors) {
                o.padTo(alignment);
                writeData(o, t);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    private void writeHeader(LeOutput o) throws IOException {
        o.u32(GgufHeaderReader.MAGIC);
        o.u32(version);
        o.u64(tensors.size());
        o.u64(metadata.size());
        for (Map.Entry<String, GgufValue> e : metadata.entrySet()) {
            o.string(e.getKey());
            o.u32(e.getValue().type().code());
            writeValue(o, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        for (Spec t : tensors) {
            o.string(t.name());
            o.u32(t.dims().length);
            for (long d : t.dims()) {
                o.u64(d);
            }
            o.u32(t.typeCode());
            o.u64(offset);
            offset = (offset + t.bytes() + alignment - 1) / alignment * alignment;
        }
        o.padTo(alignment);
    }

    private static void writeValue(LeOutput o, GgufValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8 -> o.u8(((Number) v).intValue());
            case UINT16, INT16 -> o.u16(((Number) v).intValue());
            case UINT32, INT32 -> o.u32(((Number) v).intValue());
            case UINT64, INT64 -> o.u64(((Number) v).longValue());
            case FLOAT32 -> o.f32(((Number) v).floatValue());
            case FLOAT64 -> o.f64(((Number) v).doubleValue());
            case BOOL -> o.u8((Boolean) v ? 1 : 0);
            case STRING -> o.string((String) v);
            case ARRAY -> {
                GgufValue.Array a = (GgufValue.Array) v;
                o.u32(a.elementType().code());
                o.u64(a.elements().size());
                for (Object e : a.elements()) {
                    writeValue(o, a.elementType(), e);
                }
            }
        }
    }

    private static void writeData(LeOutput o, Spec t) throws IOException {
        if (t.raw() != null) {
            o.bytes(t.raw());
            return;
        }
        GgmlType type = GgmlType.ofCode(t.typeCode());
        long cols = t.dims()[0];
        long rows = 1;
        for (int i = 1; i < t.dims().length; i++) {
            rows *= t.dims()[i];
        }
        float[] row = new float[(int) cols];
        for (long r = 0; r < rows; r++) {
            t.rows().row(r, row);
            encodeRow(o, type, row);
        }
    }

    private static void encodeRow(LeOutput o, GgmlType type, float[] row) throws IOException {
        switch (type) {
            case F32 -> {
                for (float x : row) {
                    o.f32(x);
                }
            }
            case F16 -> {
                for (float x : row) {
                    o.u16(Half.fromFloat(x));
                }
            }
            case BF16 -> {
                for (float x : row) {
                    o.u16(bf16(x));
                }
            }
            case Q8_0 -> {
                for (int b = 0; b < row.length; b += Q8Matrix.BLOCK) {
                    quantizeBlock(o, row, b);
                }
            }
            case Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K -> {
                byte[] blocks = new byte[type.block().rowBytes(row.length)];
                type.block().quantize(row, 0, row.length, blocks, 0);
                o.bytes(blocks);
            }
        }
    }

    /** GGML quantize_row_q8_0_ref: d = amax/127, q = round-half-away(x/d), d stored as f16. */
    private static void quantizeBlock(LeOutput o, float[] row, int from) throws IOException {
        float amax = 0;
        for (int i = 0; i < Q8Matrix.BLOCK; i++) {
            amax = Math.max(amax, Math.abs(row[from + i]));
        }
        float d = amax / 127f;
        float id = d != 0 ? 1f / d : 0f;
        o.u16(Half.fromFloat(d));
        for (int i = 0; i < Q8Matrix.BLOCK; i++) {
            float v = row[from + i] * id;
            o.u8((int) (Math.signum(v) * Math.floor(Math.abs(v) + 0.5f)));
        }
    }

    /** Round-to-nearest-even float to bfloat16 bits. */
    static int bf16(float x) {
        int bits = Float.floatToRawIntBits(x);
        if (Float.isNaN(x)) {
            return (bits >>> 16) | 0x40;
        }
        return (bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16;
    }
}
