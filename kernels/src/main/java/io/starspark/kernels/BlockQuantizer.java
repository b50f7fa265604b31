package io.starspark.kernels;

/**
 * Reference quantizers for {@link BlockType}, following ggml-quants.c's {@code quantize_row_*_ref}
 * (Q4_0..Q5_1: absmax or min/max scale per 32 values; Q4_K/Q5_K: make_qkx2_quants per 32-value
 * sub-block, scales and mins quantized to 6 bits; Q6_K: make_qx_quants per 16-value sub-block, int8
 * scales). Used to write test and synthetic models; loading never quantizes.
 */
final class BlockQuantizer {
    private static final int QK_K = 256;
    private static final float GROUP_MAX_EPS = 1e-15f;

    private BlockQuantizer() {
    }

    static void quantize(BlockType type, float[] x, int xOff, int n, byte[] dst, int at) {
        if (n % type.blockSize() != 0) {
            throw new IllegalArgumentException(type + " quantizes whole blocks of " + type.blockSize() + " (got " + n + ")");
        }
        for (int i = 0; i < n; i += type.blockSize()) {
            int o = at + i / type.blockSize() * type.blockBytes();
            switch (type) {
                case Q4_0 -> symmetric(x, xOff + i, dst, o, 4);
                case Q4_1 -> affine(x, xOff + i, dst, o, 4);
                case Q5_0 -> symmetric(x, xOff + i, dst, o, 5);
                case Q5_1 -> affine(x, xOff + i, dst, o, 5);
                case Q4_K -> qK(x, xOff + i, dst, o, false);
                case Q5_K -> qK(x, xOff + i, dst, o, true);
                case Q6_K -> q6_K(x, xOff + i, dst, o);
            }
        }
    }

    /** Value of largest magnitude (the first one on ties), signed. */
    private static float signedAbsMax(float[] x, int off, int n) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < n; i++) {
            float v = x[off + i];
            if (amax < Math.abs(v)) {
                amax = Math.abs(v);
                max = v;
            }
        }
        return max;
    }

    private static float min32(float[] x, int off) {
        float min = Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            min = Math.min(min, x[off + j]);
        }
        return min;
    }

    private static float max32(float[] x, int off) {
        float max = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            max = Math.max(max, x[off + j]);
        }
        return max;
    }

    /**
     * Q4_0 (4 bits) / Q5_0 (5 bits): d = signed absmax / -2^(bits-1) (so the largest magnitude maps to
     * level 0), q = min(2^bits - 1, trunc(x/d + 2^(bits-1) + 0.5)).
     */
    private static void symmetric(float[] x, int off, byte[] y, int at, int bits) {
        int half = 1 << (bits - 1);
        float d = signedAbsMax(x, off, 32) / -half;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(y, at, d);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) {
            q[j] = Math.min(2 * half - 1, (byte) (int) (x[off + j] * id + (half + 0.5f)));
        }
        pack(q, y, bits == 5 ? at + 6 : at + 2, bits == 5 ? at + 2 : -1);
    }

    /** Q4_1 (4 bits) / Q5_1 (5 bits): d = (max - min) / (2^bits - 1), m = min, q = trunc((x - min)/d + 0.5). */
    private static void affine(float[] x, int off, byte[] y, int at, int bits) {
        int levels = (1 << bits) - 1;
        float min = min32(x, off);
        float max = max32(x, off);
        float d = (max - min) / levels;
        float id = d != 0 ? 1.0f / d : 0.0f;
        putHalf(y, at, d);
        putHalf(y, at + 2, min);
        int[] q = new int[32];
        for (int j = 0; j < 32; j++) {
            q[j] = Math.min(levels, (int) ((x[off + j] - min) * id + 0.5f));
        }
        pack(q, y, bits == 5 ? at + 8 : at + 4, bits == 5 ? at + 4 : -1);
    }

    /** 32 levels: low 4 bits as nibbles at {@code y[qs..]} (value j low, j+16 high); the 5th bits as a u32 at {@code qh} (if ≥ 0). */
    private static void pack(int[] q, byte[] y, int qs, int qh) {
        int high = 0;
        for (int j = 0; j < 16; j++) {
            y[qs + j] = (byte) ((q[j] & 0x0f) | ((q[j + 16] & 0x0f) << 4));
            high |= ((q[j] >>> 4) & 1) << j;
            high |= ((q[j + 16] >>> 4) & 1) << (j + 16);
        }
        if (qh >= 0) {
            putInt32(y, qh, high);
        }
    }

    /** Q4_K (5 bits false) or Q5_K (true): quantize_row_q4_K_ref / quantize_row_q5_K_ref. */
    private static void qK(float[] x, int off, byte[] y, int at, boolean five) {
        int nmax = five ? 31 : 15;
        int[] l = new int[QK_K];
        int[] laux = new int[32];
        float[] weights = new float[32];
        float[] mins = new float[8];
        float[] scales = new float[8];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            float sumX2 = 0;
            for (int i = 0; i < 32; i++) {
                sumX2 += x[off + 32 * j + i] * x[off + 32 * j + i];
            }
            float avX = (float) Math.sqrt(sumX2 / 32);
            for (int i = 0; i < 32; i++) {
                weights[i] = avX + Math.abs(x[off + 32 * j + i]);
            }
            float[] theMin = new float[1];
            scales[j] = five
                    ? makeQkx2(32, nmax, x, off + 32 * j, weights, l, 32 * j, theMin, laux, -0.5f, 0.1f, 15)
                    : makeQkx2(32, nmax, x, off + 32 * j, weights, l, 32 * j, theMin, laux, -1f, 0.1f, 20);
            mins[j] = theMin[0];
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
        float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
        int s = at + 4;
        for (int j = 0; j < 8; j++) {
            int ls = Math.min(63, nearestInt(invScale * scales[j]) & 0xff);
            int lm = Math.min(63, nearestInt(invMin * mins[j]) & 0xff);
            if (j < 4) {
                y[s + j] = (byte) ls;
                y[s + j + 4] = (byte) lm;
            } else {
                y[s + j + 4] = (byte) ((ls & 0x0f) | ((lm & 0x0f) << 4));
                y[s + j - 4] |= (byte) ((ls >>> 4) << 6);
                y[s + j] |= (byte) ((lm >>> 4) << 6);
            }
        }
        putHalf(y, at, maxScale / 63.f);
        putHalf(y, at + 2, maxMin / 63.f);
        float dAll = BlockType.half(y, at);
        float mAll = BlockType.half(y, at + 2);
        for (int j = 0; j < 8; j++) {
            float d = dAll * BlockType.kScale(y, s, j);
            if (d == 0) {
                continue;
            }
            float dm = mAll * BlockType.kMin(y, s, j);
            for (int i = 0; i < 32; i++) {
                int q = nearestInt((x[off + 32 * j + i] + dm) / d);
                l[32 * j + i] = Math.max(0, Math.min(nmax, q));
            }
        }
        if (five) {
            int qh = at + 16;
            int ql = at + 48;
            int m1 = 1;
            int m2 = 2;
            for (int n = 0; n < QK_K; n += 64) {
                for (int j = 0; j < 32; j++) {
                    int l1 = l[n + j];
                    if (l1 > 15) {
                        l1 -= 16;
                        y[qh + j] |= (byte) m1;
                    }
                    int l2 = l[n + j + 32];
                    if (l2 > 15) {
                        l2 -= 16;
                        y[qh + j] |= (byte) m2;
                    }
                    y[ql + n / 2 + j] = (byte) (l1 | (l2 << 4));
                }
                m1 <<= 2;
                m2 <<= 2;
            }
        } else {
            int q = at + 16;
            for (int n = 0; n < QK_K; n += 64) {
                for (int j = 0; j < 32; j++) {
                    y[q + n / 2 + j] = (byte) (l[n + j] | (l[n + j + 32] << 4));
                }
            }
        }
    }

    private static void q6_K(float[] x, int off, byte[] y, int at) {
        int[] l = new int[QK_K];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < 16; ib++) {
            float scale = makeQx(16, 32, x, off + 16 * ib, l, 16 * ib);
            scales[ib] = scale;
            if (Math.abs(scale) > maxAbsScale) {
                maxAbsScale = Math.abs(scale);
                maxScale = scale;
            }
        }
        if (maxAbsScale < GROUP_MAX_EPS) {
            java.util.Arrays.fill(y, at, at + BlockType.Q6_K.blockBytes(), (byte) 0);
            return;
        }
        float iscale = -128.f / maxScale;
        putHalf(y, at + 208, 1 / iscale);
        for (int ib = 0; ib < 16; ib++) {
            y[at + 192 + ib] = (byte) Math.min(127, nearestInt(iscale * scales[ib]));
        }
        float dAll = BlockType.half(y, at + 208);
        for (int j = 0; j < 16; j++) {
            float d = dAll * y[at + 192 + j];
            if (d == 0) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                int q = nearestInt(x[off + 16 * j + i] / d);
                l[16 * j + i] = Math.max(-32, Math.min(31, q)) + 32;
            }
        }
        for (int j = 0; j < QK_K; j += 128) {
            int ql = at + j / 2;
            int qh = at + 128 + j / 4;
            for (int i = 0; i < 32; i++) {
                int q1 = l[j + i] & 0x0f;
                int q2 = l[j + i + 32] & 0x0f;
                int q3 = l[j + i + 64] & 0x0f;
                int q4 = l[j + i + 96] & 0x0f;
                y[ql + i] = (byte) (q1 | (q3 << 4));
                y[ql + i + 32] = (byte) (q2 | (q4 << 4));
                y[qh + i] = (byte) ((l[j + i] >>> 4) | ((l[j + i + 32] >>> 4) << 2)
                        | ((l[j + i + 64] >>> 4) << 4) | ((l[j + i + 96] >>> 4) << 6));
            }
        }
    }

    /** ggml's make_qkx2_quants: scale and (negated) min for n values at nmax levels, searching 'nstep' scales. */
    private static float makeQkx2(int n, int nmax, float[] x, int xo, float[] weights, int[] l, int lo,
                                  float[] theMin, int[] laux, float rmin, float rdelta, int nstep) {
        float min = x[xo];
        float max = x[xo];
        float sumW = weights[0];
        float sumX = sumW * x[xo];
        for (int i = 1; i < n; i++) {
            float v = x[xo + i];
            if (v < min) {
                min = v;
            }
            if (v > max) {
                max = v;
            }
            sumW += weights[i];
            sumX += weights[i] * v;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            java.util.Arrays.fill(l, lo, lo + n, 0);
            theMin[0] = -min;
            return 0.f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestMad = 0;
        for (int i = 0; i < n; i++) {
            int q = nearestInt(iscale * (x[xo + i] - min));
            l[lo + i] = Math.max(0, Math.min(nmax, q));
            float diff = scale * l[lo + i] + min - x[xo + i];
            bestMad += weights[i] * (diff * diff);
        }
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXl = 0;
            for (int i = 0; i < n; i++) {
                int q = Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xo + i] - min))));
                laux[i] = q;
                float w = weights[i];
                sumL += w * q;
                sumL2 += w * q * q;
                sumXl += w * q * x[xo + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXl - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXl / sumL2;
                }
                float mad = 0;
                for (int i = 0; i < n; i++) {
                    float diff = thisScale * laux[i] + thisMin - x[xo + i];
                    mad += weights[i] * (diff * diff);
                }
                if (mad < bestMad) {
                    System.arraycopy(laux, 0, l, lo, n);
                    bestMad = mad;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[0] = -min;
        return scale;
    }

    /** ggml's make_qx_quants with rmse_type 1 (weights x²): signed scale for n values in [-nmax, nmax). */
    private static float makeQx(int n, int nmax, float[] x, int xo, int[] l, int lo) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xo + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xo + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            java.util.Arrays.fill(l, lo, lo + n, 0);
            return 0.f;
        }
        float iscale = -nmax / max;
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
            l[lo + i] = q + nmax;
            float w = v * v;
            sumlx += w * v * q;
            suml2 += w * q * q;
        }
        float scale = sumlx / suml2;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0;
            suml2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[xo + i];
                int q = Math.max(-nmax, Math.min(nmax - 1, nearestInt(iscale * v)));
                float w = v * v;
                sumlx += w * v * q;
                suml2 += w * q * q;
            }
            if (suml2 > 0 && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    int q = nearestInt(iscale * x[xo + i]);
                    l[lo + i] = nmax + Math.max(-nmax, Math.min(nmax - 1, q));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /** ggml's nearest_int: round half to even via the 1.5·2^23 trick (|v| ≤ 4194303). */
    static int nearestInt(float v) {
        int i = Float.floatToRawIntBits(v + 12582912.f);
        return (i & 0x007fffff) - 0x00400000;
    }

    private static void putHalf(byte[] y, int at, float v) {
        short h = Half.fromFloat(v);
        y[at] = (byte) h;
        y[at + 1] = (byte) (h >>> 8);
    }

    private static void putInt32(byte[] y, int at, int v) {
        y[at] = (byte) v;
        y[at + 1] = (byte) (v >>> 8);
        y[at + 2] = (byte) (v >>> 16);
        y[at + 3] = (byte) (v >>> 24);
    }
}
