package io.starspark.model.gguf;

/** GGUF metadata value types, by their on-disk code. */
public enum GgufValueType {
    UINT8, INT8, UINT16, INT16, UINT32, INT32, FLOAT32, BOOL, STRING, ARRAY, UINT64, INT64, FLOAT64;

    /** The type with on-disk code {@code code}, or null if unknown. */
    static GgufValueType ofCode(int code) {
        GgufValueType[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }

    int code() {
        return ordinal();
    }

    boolean isInteger() {
        return switch (this) {
            case UINT8, INT8, UINT16, INT16, UINT32, INT32, UINT64, INT64 -> true;
            default -> false;
        };
    }
}
