package io.starspark.kernels;

/** Storage dtype of K/V. Summaries are always F32, computed from the stored (rounded) keys. */
public enum KvDtype {
    F32(4, 0),
    F16(2, 1);

    private final int bytes;
    private final int code;

    KvDtype(int bytes, int code) {
        this.bytes = bytes;
        this.code = code;
    }

    public int bytes() {
        return bytes;
    }

    public int code() {
        return code;
    }

    public static KvDtype ofCode(int code) {
        for (KvDtype d : values()) {
            if (d.code == code) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown K/V dtype code " + code);
    }

    /** The value a reader gets back after storing {@code x} in this dtype. */
    public float round(float x) {
        return this == F32 ? x : Half.toFloat(Half.fromFloat(x));
    }

    /** {@code values} as stored: the same array for F32, a rounded copy for F16 (16 values at a time, {@link Half}). */
    public float[] rounded(float[] values) {
        if (this == F32) {
            return values;
        }
        short[] halves = new short[values.length];
        Half.toHalves(values, 0, halves, 0, values.length);
        return Half.toFloatArray(halves, halves.length);
    }
}
