package io.starspark.kv;

import io.starspark.kernels.KvDtype;
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
        long slot = product(2, pageSize, kvHeads, headDim, dtype.bytes());
        if (slot > MAX_BLOCK_FILE_BYTES) {
            throw new KvStoreException("a K/V page of " + pageSize + " tokens (" + kvHeads + " KV heads x " + headDim
                    + " dims, keys and values in " + dtype + ") takes " + slot + " bytes, over the "
                    + MAX_BLOCK_FILE_BYTES + " a block file holds; use a smaller pageSize");
        }
    }

    /** Largest block file (and page slot) in bytes: one Java array, a few words under 2 GiB. */
    public static final long MAX_BLOCK_FILE_BYTES = Integer.MAX_VALUE - 16;

    /** Bytes of one stored page of one layer: keys and values of all KV heads, {@code pageSize} rows. */
    public long slotBytes() {
        return 2L * pageSize * rowFloats() * dtype.bytes();
    }

    /** Bytes of the block file holding {@code tokens} tokens (meta part and page slots), saturating at Long.MAX_VALUE. */
    public long blockFileBytes(int tokens) {
        long pages = (tokens + (long) pageSize - 1) / pageSize;
        return sum(BlockFile.HEADER_BYTES + 4, product(4, layers, pages), product(8, layers, pages, rowFloats()),
                product(layers, pages, slotBytes()));
    }

    /** Throws a user error naming the sizes when a block of {@code tokens} tokens does not fit one block file. */
    public void requireBlockFits(int tokens) {
        long bytes = blockFileBytes(tokens);
        if (bytes > MAX_BLOCK_FILE_BYTES) {
            throw new KvStoreException("a block of " + tokens + " tokens takes " + bytes + " bytes of K/V ("
                    + layers + " layers), over the " + MAX_BLOCK_FILE_BYTES + " a block file holds; use a smaller blockSize");
        }
    }

    /** Sum of non-negative terms, Long.MAX_VALUE when it overflows. */
    private static long sum(long... terms) {
        long s = 0;
        for (long t : terms) {
            s = t > Long.MAX_VALUE - s ? Long.MAX_VALUE : s + t;
        }
        return s;
    }

    /** Product of non-negative factors, Long.MAX_VALUE when it overflows. */
    private static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f != 0 && p > Long.MAX_VALUE / f) {
                return Long.MAX_VALUE;
            }
            p *= f;
        }
        return p;
    }

    private static void requirePositive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be positive (got " + value + ")");
        }
    }

    /** Floats per token row: {@code kvHeads * headDim}. */
    public int rowFloats() {
        return kvHeads * headDim; // fits: the constructor bounds 2 * pageSize * kvHeads * headDim * bytes
    }

    /** Fingerprint of the model-dependent part, for manifests: {@code layers=5,kvHeads=4,headDim=8}. */
    public String modelFingerprint() {
        return "layers=" + layers + ",kvHeads=" + kvHeads + ",headDim=" + headDim;
    }
}
