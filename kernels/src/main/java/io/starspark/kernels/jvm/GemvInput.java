package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.Matrix;

/**
 * The x of a few-token matmul ({@link Gemv}) and what block-quantized rows read of it, computed once per call by the
 * calling thread before the rows are split over threads: {@code Σ x} per 32 values for Q4_1 and Q5_1; for the
 * K-quants x interleaved and scaled into the order of their quants' int lanes ({@link Gemv#interleave}) with the sums
 * of x their mins (Q4_K, Q5_K) or offset (Q6_K) need. Only what the call's matrices need is computed; the arrays
 * are the calling thread's scratch, read-only while the rows run.
 */
final class GemvInput {
    /** Floats x may start after its scratch array's first: up to a 64-byte line. */
    private static final int LINE_SLACK = 15;
    /**
     * x from {@link #xBase} on: [tokens][cols], on a 64-byte line where {@link ArrayAlignment} knows the address (the
     * caller's array when it starts on one, else a copy in scratch) if a row type that reads x itself is among the
     * call's matrices (the K-quants read {@link #q4k}, {@link #q6k}): the rows read it 16 floats at a time.
     */
    final float[] x;
    final int xBase;
    final int tokens;
    /** Q4_1, Q5_1: [tokens][cols / 32], Σ x over each 32 values in order; else null. */
    final float[] sums32;
    /**
     * Q4_K, Q5_K: from {@link #q4kBase} on [tokens][cols], x interleaved and scaled ({@link Gemv#interleave}, g = 64,
     * n = 32); else null.
     */
    final float[] q4k;
    /** Where x starts in {@link #q4k}: on a 64-byte line where {@link ArrayAlignment} knows the address, else 0. */
    final int q4kBase;
    /** Q4_K, Q5_K: [tokens][cols / 256][16], zero in lanes 0-7 and Σ x over sub-block j in lane 8 + j; else null. */
    final float[] q4kSums;
    /**
     * Q6_K: from {@link #q6kBase} on [tokens][cols], x interleaved and scaled ({@link Gemv#interleave}, g = 32,
     * n = 64); else null.
     */
    final float[] q6k;
    /** Where x starts in {@link #q6k}, as {@link #q4kBase}. */
    final int q6kBase;
    /** Q6_K: [tokens][cols / 16], Σ x over each 16 values in order; else null. */
    final float[] q6kSums;

    private GemvInput(float[] x, int xBase, int tokens, float[] sums32, float[] q4k, int q4kBase, float[] q4kSums,
            float[] q6k, int q6kBase, float[] q6kSums) {
        this.x = x;
        this.xBase = xBase;
        this.tokens = tokens;
        this.sums32 = sums32;
        this.q4k = q4k;
        this.q4kBase = q4kBase;
        this.q4kSums = q4kSums;
        this.q6k = q6k;
        this.q6kBase = q6kBase;
        this.q6kSums = q6kSums;
    }

    /** x ([tokens][cols]) for the rows of {@code ws} (all {@code cols} wide), prepared in {@code s}'s buffers. */
    static GemvInput of(float[] x, int tokens, int cols, Matrix[] ws, Scratch s) {
        boolean sums = false;
        boolean q4k = false;
        boolean q6k = false;
        boolean direct = false; // rows that read x itself: all but the K-quants' (they read the interleaved copies)
        for (Matrix w : ws) {
            if (JavaMatmul.VL == 16 && w instanceof BlockMatrix b) {
                BlockType t = b.type();
                sums |= t == BlockType.Q4_1 || t == BlockType.Q5_1;
                q4k |= t == BlockType.Q4_K || t == BlockType.Q5_K;
                q6k |= t == BlockType.Q6_K;
                direct |= !Gemv.readsLanes(t);
            } else {
                direct = true;
            }
        }
        float[] sums32 = null;
        if (sums) {
            sums32 = s.sums(tokens * cols / 32);
            for (int i = 0; i < tokens * cols / 32; i++) {
                sums32[i] = sum(x, 32 * i, 32);
            }
        }
        float[] q4kX = null;
        int q4kBase = 0;
        float[] q4kSums = null;
        if (q4k) {
            q4kX = s.q4k(tokens * cols + LINE_SLACK);
            q4kBase = ArrayAlignment.floatsToLine(q4kX);
            q4kSums = s.q4kSums(tokens * cols / 16);
            for (int t = 0; t < tokens; t++) {
                Gemv.interleave(x, t * cols, q4kX, q4kBase + t * cols, cols, 64, 32);
            }
            for (int i = 0; i < tokens * cols / 32; i++) { // sub-block i % 8 of block i / 8
                q4kSums[16 * (i / 8) + i % 8] = 0f;
                q4kSums[16 * (i / 8) + 8 + i % 8] = sum(x, 32 * i, 32);
            }
        }
        float[] q6kX = null;
        int q6kBase = 0;
        float[] q6kSums = null;
        if (q6k) {
            q6kX = s.q6k(tokens * cols + LINE_SLACK);
            q6kBase = ArrayAlignment.floatsToLine(q6kX);
            q6kSums = s.q6kSums(tokens * cols / 16);
            for (int t = 0; t < tokens; t++) {
                Gemv.interleave(x, t * cols, q6kX, q6kBase + t * cols, cols, 32, 64);
            }
            for (int i = 0; i < tokens * cols / 16; i++) {
                q6kSums[i] = sum(x, 16 * i, 16);
            }
        }
        float[] onLine = x;
        int xBase = 0;
        if (direct && ArrayAlignment.floatsToLine(x) != 0) {
            onLine = s.xOnLine(tokens * cols + LINE_SLACK);
            xBase = ArrayAlignment.floatsToLine(onLine);
            System.arraycopy(x, 0, onLine, xBase, tokens * cols);
        }
        return new GemvInput(onLine, xBase, tokens, sums32, q4kX, q4kBase, q4kSums, q6kX, q6kBase, q6kSums);
    }

    /** Σ x[at, at + n) in order. */
    private static float sum(float[] x, int at, int n) {
        float sum = 0f;
        for (int c = 0; c < n; c++) {
            sum += x[at + c];
        }
        return sum;
    }
}
