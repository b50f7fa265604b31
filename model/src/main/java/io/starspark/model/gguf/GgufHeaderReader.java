package io.starspark.model.gguf;

import io.starspark.model.ModelFormatException;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses the GGUF header (magic, version, metadata, tensor infos) from a little-endian buffer. */
final class GgufHeaderReader {
    static final int MAGIC = 0x46554747; // "GGUF" little-endian
    static final int MAX_DIMS = 4;

    private final Path file;
    private final ByteBuffer buf;
    private final long fileLength;

    GgufHeaderReader(Path file, ByteBuffer buf, long fileLength) {
        this.file = file;
        this.buf = buf;
        this.fileLength = fileLength;
    }

    /** Parsed header; tensor offsets are still relative to the data section. */
    record Header(int version, Map<String, GgufValue> metadata, List<RawTensor> tensors, long headerEnd) {
    }

    /** A tensor info as written: type code not yet resolved, offset relative to the data section. */
    record RawTensor(String name, int typeCode, long[] dims, long relOffset) {
    }

    Header read() {
        try {
            return readHeader();
        } catch (BufferUnderflowException e) {
            throw new ModelFormatException(file, "truncated file: header ends past the end of the file ("
                + fileLength + " bytes)", e);
        }
    }

    private Header readHeader() {
        if (fileLength < 4 || buf.getInt() != MAGIC) {
            throw new ModelFormatException(file, "not a GGUF file (bad magic)");
        }
        int version = buf.getInt();
        if (version != 2 && version != 3) {
            throw new ModelFormatException(file, "unsupported GGUF version " + Integer.toUnsignedString(version)
                + " (supported: 2, 3)");
        }
        long tensorCount = count("tensor count");
        long kvCount = count("metadata count");
        Map<String, GgufValue> metadata = new LinkedHashMap<>();
        for (long i = 0; i < kvCount; i++) {
            String key = string();
            metadata.put(key, value(valueType()));
        }
        List<RawTensor> tensors = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            tensors.add(tensorInfo());
        }
        return new Header(version, metadata, tensors, buf.position());
    }

    private RawTensor tensorInfo() {
        String name = string();
        int nDims = buf.getInt();
        if (nDims < 1 || nDims > MAX_DIMS) {
            throw new ModelFormatException(file, "tensor '" + name + "' has " + nDims + " dimensions (1.." + MAX_DIMS + " allowed)");
        }
        long[] dims = new long[nDims];
        for (int d = 0; d < nDims; d++) {
            dims[d] = buf.getLong();
            if (dims[d] <= 0 || dims[d] > Integer.MAX_VALUE) {
                throw new ModelFormatException(file, "tensor '" + name + "' has invalid dimension " + Long.toUnsignedString(dims[d]));
            }
        }
        int type = buf.getInt();
        long offset = buf.getLong();
        return new RawTensor(name, type, dims, offset);
    }

    /** A uint64 count that cannot exceed the bytes left (each item takes at least one byte). */
    private long count(String what) {
        long n = buf.getLong();
        if (n < 0 || n > fileLength) {
            throw new ModelFormatException(file, "truncated or corrupt file: " + what + " " + Long.toUnsignedString(n)
                + " exceeds the file length (" + fileLength + " bytes)");
        }
        return n;
    }

    private GgufValueType valueType() {
        int code = buf.getInt();
        GgufValueType t = GgufValueType.ofCode(code);
        if (t == null) {
            throw new ModelFormatException(file, "corrupt metadata: unknown value type code " + code);
        }
        return t;
    }

    private String string() {
        long len = count("string length");
        if (len > buf.remaining()) {
            throw new BufferUnderflowException();
        }
        byte[] bytes = new byte[(int) len];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private Object scalar(GgufValueType t) {
        return switch (t) {
            case UINT8 -> buf.get() & 0xff;
            case INT8 -> (int) buf.get();
            case UINT16 -> buf.getShort() & 0xffff;
            case INT16 -> (int) buf.getShort();
            case UINT32 -> buf.getInt() & 0xffffffffL;
            case INT32 -> buf.getInt();
            case FLOAT32 -> buf.getFloat();
            case BOOL -> buf.get() != 0;
            case STRING -> string();
            case UINT64, INT64 -> buf.getLong();
            case FLOAT64 -> buf.getDouble();
            case ARRAY -> array();
        };
    }

    private GgufValue value(GgufValueType t) {
        return new GgufValue(t, scalar(t));
    }

    private GgufValue.Array array() {
        GgufValueType elementType = valueType();
        long n = count("array length");
        List<Object> elements = new ArrayList<>((int) Math.min(n, 1 << 20));
        for (long i = 0; i < n; i++) {
            elements.add(scalar(elementType));
        }
        return new GgufValue.Array(elementType, elements);
    }
}
