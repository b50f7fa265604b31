package io.starspark.driver.star;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kv.KvDtype;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.SparseSettings;
import java.util.Objects;

/**
 * One question over one document, as the driver answers it.
 *
 * @param context  [n] context ids (BOS + SentencePiece(" " + text))
 * @param question [m] question ids (no BOS, no added space)
 * @param kvDir    root URI under which each document's K/V live in a folder named by its id
 * @param sparse   page budget of sparse decoding, or null for exact phase 2 over all context K/V
 */
public record StarRequest(String modelPath, int[] context, int[] question, int maxNewTokens, StarPlan plan,
                          String kvDir, KvDtype dtype, KernelsChoice kernels, int partitions, int failFirstAttemptBlock,
                          SparseSettings sparse) {
    public StarRequest {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(kvDir, "kvDir");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(kernels, "kernels");
        if (question.length == 0) {
            throw new IllegalArgumentException("the question tokenizes to no tokens");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be positive (got " + maxNewTokens + ")");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive (got " + partitions + ")");
        }
        if (plan.contextLength() != context.length) {
            throw new IllegalArgumentException("plan is for " + plan.contextLength() + " tokens, context has "
                    + context.length);
        }
    }
}
