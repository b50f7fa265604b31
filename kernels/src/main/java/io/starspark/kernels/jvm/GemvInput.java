package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.Matrix;

/**
 * The x of a few-token matmul ({@link Gemv}) and what block-quantized rows read of it, computed once per call by the
 * calling thread before the rows are split over threads: {@code Σ x} per 32 values for Q4_1, Q5_1 and Q5_K, and
 * for Q4_K x interleaved and scaled into the order of its quants' int lanes with the sub-block sums its mins need
 * ({@link Gemv#q4kInterleave}). Only what the call's matrices need is computed; the arrays are the calling thread's
 * scratch, read-only while the rows run.
 */
final class GemvInput {
    /** x: [tokens][cols]. */
    final float[] x;
    final int tokens;
    final int cols;
    /** Q4_1, Q5_1, Q5_K: [tokens][cols / 32], Σ x over each 32 values in order; else null. */
    final float[] sums32;
    /** Q4_K: [tokens][cols], x interleaved and scaled ({@link Gemv#q4kInterleave}); else null. */
    final float[] q4k;
    /** Q4_K: [tokens][cols / 256][16], zero in lanes 0-7 and Σ x over sub-block j in lane 8 + j; else null. */
    final float[] q4kSums;

    private GemvInput(float[] x, int tokens, int cols, float[] sums32, float[] q4k, float[] q4kSums) {
        this.x = x;
        this.tokens = tokens;
        this.cols = cols;
        this.sums32 = sums32;
        this.q4k = q4k;
        this.q4kSums = q4kSums;
    }

    /** x ([tokens][cols]) for the rows of {@code ws} (all {@code cols} wide), prepared in {@code s}'s buffers. */
    static GemvInput of(float[] x, int tokens, int cols, Matrix[] ws, Scratch s) {
        boolean sums = false;
        boolean q4k = false;
        for (Matrix w : ws) {
            if (JavaMatmul.VL == 16 && w instanceof BlockMatrix b) {
                BlockType t = b.type();
                sums |= t == BlockType.Q4_1 || t == BlockType.Q5_1 || t == BlockType.Q5_K;
                q4k |= t == BlockType.Q4_K;
            }
        }
        float[] sums32 = null;
        if (sums) {
            sums32 = s.sums(tokens * cols / 32);
            for (int i = 0; i < tokens * cols / 32; i++) {
                sums32[i] = sum32(x, 32 * i);
            }
        }
        float[] xi = null;
        float[] xiSums = null;
        if (q4k) {
            xi = s.q4k(tokens * cols);
            xiSums = s.q4kSums(tokens * cols / 16);
            for (int t = 0; t < tokens; t++) {
                Gemv.q4kInterleave(x, t * cols, xi, cols);
            }
            for (int i = 0; i < tokens * cols / 32; i++) { // sub-block i % 8 of block i / 8
                xiSums[16 * (i / 8) + i % 8] = 0f;
                xiSums[16 * (i / 8) + 8 + i % 8] = sum32(x, 32 * i);
            }
        }
        return new GemvInput(x, tokens, cols, sums32, xi, xiSums);
    }

    /** Σ x[at, at + 32) in order. */
    private static float sum32(float[] x, int at) {
        float sum = 0f;
        for (int c = 0; c < 32; c++) {
            sum += x[at + c];
        }
        return sum;
    }
}
