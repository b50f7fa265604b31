package io.starspark.kernels.jvm;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.Matrix;

/**
 * The x of a few-token matmul ({@link Gemv}) and what block-quantized rows read of it, computed once per call by the
 * calling thread before the rows are split over threads (per range, 32 ranges per call, it cost a fifth of a
 * 2048 × 2048 Q4_K matmul): {@code Σ x} per 32 values for Q4_1 / Q5_1, and for the K-quants x interleaved to their
 * quants' order with its sub-block sums ({@link KQuantGemv}, one layout for Q4_K / Q5_K, one for Q6_K). Only what
 * the call's matrices need is computed; the arrays are the calling thread's scratch, read-only while the rows run.
 */
final class GemvInput {
    /** x: [tokens][cols]. */
    final float[] x;
    final int tokens;
    final int cols;
    /** Q4_1, Q5_1: [tokens][cols / 32], Σ x over each 32 values in order; else null. */
    final float[] sums32;
    /** Q4_K, Q5_K: x interleaved ({@link KQuantGemv#interleave} with G = 64, N = 32) and its block sums; else null. */
    final float[] k45;
    final float[] k45Sums;
    /** Q6_K: x interleaved (G = 32, N = 64) and its sums per 16 values; else null. */
    final float[] k6;
    final float[] k6Sums;

    private GemvInput(float[] x, int tokens, int cols, float[] sums32, float[] k45, float[] k45Sums, float[] k6,
            float[] k6Sums) {
        this.x = x;
        this.tokens = tokens;
        this.cols = cols;
        this.sums32 = sums32;
        this.k45 = k45;
        this.k45Sums = k45Sums;
        this.k6 = k6;
        this.k6Sums = k6Sums;
    }

    /** x for {@code ws} (all of {@code cols} columns), prepared in {@code s}'s buffers. */
    static GemvInput of(float[] x, int tokens, int cols, Matrix[] ws, Scratch s) {
        boolean sums = false;
        boolean k45 = false;
        boolean k6 = false;
        for (Matrix w : ws) {
            if (JavaMatmul.VL == 16 && w instanceof BlockMatrix b) {
                BlockType t = b.type();
                sums |= t == BlockType.Q4_1 || t == BlockType.Q5_1;
                k45 |= t == BlockType.Q4_K || t == BlockType.Q5_K;
                k6 |= t == BlockType.Q6_K;
            }
        }
        float[] sums32 = null;
        if (sums) {
            sums32 = s.sums(tokens * cols / 32);
            for (int i = 0; i < tokens * cols / 32; i++) {
                float sum = 0f;
                for (int c = 0; c < 32; c++) {
                    sum += x[i * 32 + c];
                }
                sums32[i] = sum;
            }
        }
        float[] k45x = k45 ? s.k45(tokens * cols) : null;
        float[] k45Sums = k45 ? s.k45Sums(tokens * cols / 16) : null;
        float[] k6x = k6 ? s.k6(tokens * cols) : null;
        float[] k6Sums = k6 ? s.k6Sums(tokens * cols / 16) : null;
        for (int t = 0; t < tokens; t++) {
            if (k45) {
                KQuantGemv.interleave(x, t * cols, k45x, cols, 64, 32);
                KQuantGemv.subBlockSums(x, t * cols, k45Sums, t * cols / 16, cols, false);
            }
            if (k6) {
                KQuantGemv.interleave(x, t * cols, k6x, cols, 32, 64);
                KQuantGemv.subBlockSums(x, t * cols, k6Sums, t * cols / 16, cols, true);
            }
        }
        return new GemvInput(x, tokens, cols, sums32, k45x, k45Sums, k6x, k6Sums);
    }
}
