package io.starspark.kernels.jvm;

/** Per-thread buffers, grown on demand and reused so hot loops never allocate. */
final class Scratch {
    /** One micro-kernel tile: [MR][NR]. */
    final float[] tile = new float[JavaMatmul.MR * JavaMatmul.NR];
    /** One vector's lanes: [vector length]. */
    final float[] lanes = new float[jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length()];
    /** Where {@code DecodeAttention.readAhead} leaves its loads' bits, so the JIT keeps them; never read. */
    int readAhead;
    private float[] packedX = new float[0];
    private float[] packedW = new float[0];
    private float[] row = new float[0];
    private float[] a = new float[0];
    private float[] b = new float[0];
    private float[] c = new float[0];
    private float[] d = new float[0];
    private float[] sums = new float[0];
    private float[] kScales = new float[0];
    private float[] carry = new float[0];
    private float[] xOnLine = new float[0];
    private float[] q4k = new float[0];
    private float[] q4kSums = new float[0];
    private float[] q6k = new float[0];
    private float[] q6kSums = new float[0];

    private static float[] grow(float[] buf, int n) {
        return buf.length >= n ? buf : new float[n];
    }

    float[] packedX(int n) {
        packedX = grow(packedX, n);
        return packedX;
    }

    float[] packedW(int n) {
        packedW = grow(packedW, n);
        return packedW;
    }

    float[] row(int n) {
        row = grow(row, n);
        return row;
    }

    float[] a(int n) {
        a = grow(a, n);
        return a;
    }

    float[] b(int n) {
        b = grow(b, n);
        return b;
    }

    float[] c(int n) {
        c = grow(c, n);
        return c;
    }

    /** A K-quant row chunk's block factors for the decode matmul ({@link Gemv#laneRows}): [blocks][16] and 8 more. */
    float[] kScales(int n) {
        kScales = grow(kScales, n);
        return kScales;
    }

    /** A tiled Q8_0 row group's accumulators between column chunks ({@link Gemv}): [rows][4][vector length]. */
    float[] carry(int n) {
        carry = grow(carry, n);
        return carry;
    }

    /** Σ x per 32 values for the decode matmul's Q4_1 / Q5_1 rows ({@link GemvInput}): [tokens][cols / 32]. */
    float[] sums(int n) {
        sums = grow(sums, n);
        return sums;
    }

    /** {@link GemvInput}'s copy of x when the caller's does not start on a 64-byte line: [tokens][cols] + slack. */
    float[] xOnLine(int n) {
        xOnLine = grow(xOnLine, n);
        return xOnLine;
    }

    /** {@link GemvInput}'s x for Q4_K / Q5_K rows, interleaved and scaled ({@link Gemv#interleave}): [tokens][cols]. */
    float[] q4k(int n) {
        q4k = grow(q4k, n);
        return q4k;
    }

    /** {@link GemvInput}'s sub-block sums of x for Q4_K / Q5_K rows: [tokens][cols / 256][16]. */
    float[] q4kSums(int n) {
        q4kSums = grow(q4kSums, n);
        return q4kSums;
    }

    /** {@link GemvInput}'s x for Q6_K rows, interleaved and scaled ({@link Gemv#interleave}): [tokens][cols]. */
    float[] q6k(int n) {
        q6k = grow(q6k, n);
        return q6k;
    }

    /** {@link GemvInput}'s sums of x per 16 values for Q6_K rows: [tokens][cols / 16]. */
    float[] q6kSums(int n) {
        q6kSums = grow(q6kSums, n);
        return q6kSums;
    }

    float[] d(int n) {
        d = grow(d, n);
        return d;
    }
}
