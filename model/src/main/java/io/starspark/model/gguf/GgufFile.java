package io.starspark.model.gguf;

import io.starspark.model.ModelFormatException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (v2 or v3) opened read-only: metadata, tensor infos, and tensor data read
 * through memory maps of each tensor's region. Every offset and size is checked against the
 * file length at open. Close it to release the file handle; loaded tensors stay valid.
 */
public final class GgufFile implements AutoCloseable {
    public static final int DEFAULT_ALIGNMENT = 32;
    /** The header is parsed from a map of at most this many leading bytes. */
    private static final long HEADER_WINDOW = Integer.MAX_VALUE - 8;

    private final Path path;
    private final FileChannel channel;
    private final long length;
    private final int version;
    private final int alignment;
    private final long dataStart;
    private final Map<String, GgufValue> metadata;
    private final Map<String, GgufTensor> tensors;

    private GgufFile(Path path, FileChannel channel, long length, GgufHeaderReader.Header header) {
        this.path = path;
        this.channel = channel;
        this.length = length;
        this.version = header.version();
        this.metadata = Collections.unmodifiableMap(header.metadata());
        this.alignment = readAlignment();
        this.dataStart = align(header.headerEnd(), alignment);
        this.tensors = Collections.unmodifiableMap(resolveTensors(header.tensors()));
    }

    /** Opens and validates {@code path}; throws {@link ModelFormatException} naming the file and problem. */
    public static GgufFile open(Path path) {
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(path, "model file not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(path, "cannot open model file: " + e.getMessage(), e);
        }
        try {
            long len = ch.size();
            MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_ONLY, 0, Math.min(len, HEADER_WINDOW));
            head.order(ByteOrder.LITTLE_ENDIAN);
            return new GgufFile(path, ch, len, new GgufHeaderReader(path, head, len).read());
        } catch (IOException e) {
            closeQuietlyAfter(ch, e);
            throw new ModelFormatException(path, "cannot read model file: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietlyAfter(ch, e);
            throw e;
        }
    }

    private static void closeQuietlyAfter(FileChannel ch, Exception primary) {
        try {
            ch.close();
        } catch (IOException suppressed) {
            primary.addSuppressed(suppressed);
        }
    }

    private int readAlignment() {
        GgufValue v = metadata.get("general.alignment");
        if (v == null) {
            return DEFAULT_ALIGNMENT;
        }
        long a = integer("general.alignment", v);
        if (a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1) {
            throw new ModelFormatException(path, "general.alignment must be a power of two (got " + a + ")");
        }
        return (int) a;
    }

    private Map<String, GgufTensor> resolveTensors(List<GgufHeaderReader.RawTensor> raw) {
        Map<String, GgufTensor> out = new LinkedHashMap<>();
        for (GgufHeaderReader.RawTensor r : raw) {
            GgufTensor t = resolve(r);
            if (out.put(t.name(), t) != null) {
                throw new ModelFormatException(path, "duplicate tensor '" + t.name() + "'");
            }
        }
        return out;
    }

    private GgufTensor resolve(GgufHeaderReader.RawTensor r) {
        GgmlType type = GgmlType.ofCode(r.typeCode());
        if (type == null) {
            throw new ModelFormatException(path, "tensor '" + r.name() + "' has unsupported type "
                + GgmlType.nameOf(r.typeCode()) + " (supported: " + GgmlType.SUPPORTED + ")");
        }
        if (r.dims()[0] % type.blockSize() != 0) {
            throw new ModelFormatException(path, "tensor '" + r.name() + "' of type " + type + " has row length "
                + r.dims()[0] + ", not a multiple of " + type.blockSize());
        }
        long elements = 1;
        for (long d : r.dims()) {
            elements = Math.multiplyExact(elements, d);
        }
        long bytes = type.bytesFor(elements);
        if (r.relOffset() < 0 || r.relOffset() % alignment != 0) {
            throw new ModelFormatException(path, "tensor '" + r.name() + "' has offset " + r.relOffset()
                + ", not a multiple of the alignment " + alignment);
        }
        long start = dataStart + r.relOffset();
        if (start < dataStart || start + bytes > length) {
            throw new ModelFormatException(path, "tensor '" + r.name() + "' (bytes " + start + ".." + (start + bytes)
                + ") extends past the end of the file (" + length + " bytes)");
        }
        return new GgufTensor(r.name(), type, r.dims().clone(), start, bytes);
    }

    private static long align(long x, int a) {
        return (x + a - 1) / a * a;
    }

    private long integer(String key, GgufValue v) {
        if (!v.type().isInteger()) {
            throw new ModelFormatException(path, "metadata key '" + key + "' must be an integer (is " + v.type() + ")");
        }
        return ((Number) v.value()).longValue();
    }

    public Path path() {
        return path;
    }

    public long length() {
        return length;
    }

    public int version() {
        return version;
    }

    public int alignment() {
        return alignment;
    }

    /** Absolute offset of the tensor data section. */
    public long dataStart() {
        return dataStart;
    }

    /** All metadata in file order. */
    public Map<String, GgufValue> metadata() {
        return metadata;
    }

    /** All tensor infos in file order. */
    public Map<String, GgufTensor> tensors() {
        return tensors;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public boolean hasTensor(String name) {
        return tensors.containsKey(name);
    }

    /** The value of a required key; throws "missing required key" otherwise. */
    public GgufValue require(String key) {
        GgufValue v = metadata.get(key);
        if (v == null) {
            throw new ModelFormatException(path, "missing required key '" + key + "'");
        }
        return v;
    }

    public String getString(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.STRING) {
            throw new ModelFormatException(path, "metadata key '" + key + "' must be a string (is " + v.type() + ")");
        }
        return (String) v.value();
    }

    /** An integer key of any integer type that fits in an int. */
    public int getInt(String key) {
        long v = integer(key, require(key));
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ModelFormatException(path, "metadata key '" + key + "' = " + v + " does not fit in an int");
        }
        return (int) v;
    }

    public int getInt(String key, int defaultValue) {
        return has(key) ? getInt(key) : defaultValue;
    }

    /** A float key (FLOAT32, FLOAT64, or an integer type). */
    public double getDouble(String key) {
        GgufValue v = require(key);
        if (v.type() == GgufValueType.FLOAT32 || v.type() == GgufValueType.FLOAT64 || v.type().isInteger()) {
            return ((Number) v.value()).doubleValue();
        }
        throw new ModelFormatException(path, "metadata key '" + key + "' must be a number (is " + v.type() + ")");
    }

    public double getDouble(String key, double defaultValue) {
        return has(key) ? getDouble(key) : defaultValue;
    }

    /** An array key; elements typed as described in {@link GgufValue}. */
    public GgufValue.Array getArray(String key) {
        GgufValue v = require(key);
        if (v.type() != GgufValueType.ARRAY) {
            throw new ModelFormatException(path, "metadata key '" + key + "' must be an array (is " + v.type() + ")");
        }
        return (GgufValue.Array) v.value();
    }

    public GgufTensor tensor(String name) {
        GgufTensor t = tensors.get(name);
        if (t == null) {
            throw new ModelFormatException(path, "missing tensor '" + name + "'");
        }
        return t;
    }

    /** Maps {@code bytes} of tensor data starting at absolute {@code offset} (must be below 2 GiB). */
    MappedByteBuffer map(long offset, long bytes) {
        try {
            MappedByteBuffer b = channel.map(FileChannel.MapMode.READ_ONLY, offset, bytes);
            b.order(ByteOrder.LITTLE_ENDIAN);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot map bytes " + offset + ".." + (offset + bytes), e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot close", e);
        }
    }

    /**
     * Tensor {@code name} as a kernel matrix {@code W[rows][cols]} (rows = dims[1..] product,
     * cols = dims[0]): F32 → F32Matrix, F16 → F16Matrix, BF16 → widened F32Matrix, Q8_0 → Q8Matrix.
     */
    public io.starspark.kernels.Matrix matrix(String name) {
        return new TensorReader(this).matrix(tensor(name));
    }

    /** Tensor {@code name} (typically 1-D, e.g. a norm weight) widened to float, in file order. */
    public float[] floats(String name) {
        return new TensorReader(this).floats(tensor(name));
    }
}
