package io.starspark.model.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One typed GGUF metadata value. Java representation of {@code value}: UINT8, INT8, UINT16,
 * INT16, INT32 → Integer; UINT32, INT64, UINT64 → Long (UINT64 keeps its raw 64 bits);
 * FLOAT32 → Float; FLOAT64 → Double; BOOL → Boolean; STRING → String; ARRAY → {@link Array}.
 */
public record GgufValue(GgufValueType type, Object value) {
    public GgufValue {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(value, "value");
    }

    /** A GGUF array: every element has {@code elementType}; elements are represented as in {@link GgufValue}. */
    public record Array(GgufValueType elementType, List<?> elements) {
        public Array {
            Objects.requireNonNull(elementType, "elementType");
            elements = List.copyOf(elements);
        }
    }

    public static GgufValue ofString(String s) {
        return new GgufValue(GgufValueType.STRING, s);
    }

    public static GgufValue ofUint32(long v) {
        return new GgufValue(GgufValueType.UINT32, v);
    }

    public static GgufValue ofInt32(int v) {
        return new GgufValue(GgufValueType.INT32, v);
    }

    public static GgufValue ofFloat32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, v);
    }

    public static GgufValue ofBool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, v);
    }

    public static GgufValue ofArray(GgufValueType elementType, List<?> elements) {
        return new GgufValue(GgufValueType.ARRAY, new Array(elementType, elements));
    }
}
