package io.starspark.kv;

import java.io.Serializable;

/** Shape of a document's stored K/V: per layer {@code [tokens][kvHeads][headDim]}, in pages of {@code pageSize} tokens. */
public record KvLayout(int layers, int kvHeads, int headDim, int pageSize, KvDtype dtype) implements Serializable {

    public KvLayout {
        requirePositive("layers", layers);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
        requirePositive("pageSize", pageSize);
        if (dtype == null) {
            throw new IllegalArgumentException("dtype must be F32 or F16 (got null)");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive (got " + value + ")");
        }
    }

    /** Floats per token row: {@code kvHeads * headDim}. */
    public int rowFloats() {
        return kvHeads * headDim;
    }

    /** Fingerprint of the model-dependent part, for manifests: {@code layers=5,kvHeads=4,headDim=8}. */
    public String modelFingerprint() {
        return "layers=" + layers + ",kvHeads=" + kvHeads + ",headDim=" + headDim;
    }
}
