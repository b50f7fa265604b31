package io.starspark.driver.star;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.StarSettings;
import java.io.Serializable;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * One question over one document, as {@link StarRunner} answers it. Plain serializable data: it holds no
 * Spark context or other driver state. Build it with {@link #builder()}; the CLI's one factory is
 * {@code io.starspark.driver.Answerer#request}, which fills the builder from the validated settings.
 *
 * @param context                [n] context ids (BOS + SentencePiece(" " + text))
 * @param question               [m] question ids (no BOS, no added space), m ≥ 1
 * @param kvDir                  root URI under which each document's K/V live in a folder named by its id
 * @param sparse                 page budget of sparse phase 2, or null for star (exact phase 2 over all context K/V)
 * @param maxKvBytes             the most K/V bytes phase 1 may write for this document (refused before it starts)
 * @param failFirstAttemptBlocks test hook: blocks whose first phase-1 attempt fails after writing; empty normally
 */
public record StarRequest(String modelPath, int[] context, int[] question, int maxNewTokens, StarPlan plan,
                          String kvDir, KvDtype dtype, KernelsChoice kernels, SparseSettings sparse, int partitions,
                          long maxKvBytes, int[] failFirstAttemptBlocks) implements Serializable {
    public StarRequest {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(plan, "plan");
        Objects.requireNonNull(kvDir, "kvDir");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(failFirstAttemptBlocks, "failFirstAttemptBlocks");
        if (question.length == 0) {
            throw new IllegalArgumentException("the question has no tokens");
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("max new tokens must be positive (got " + maxNewTokens + ")");
        }
        if (maxKvBytes < 1) {
            throw new IllegalArgumentException("maxKvBytes must be positive (got " + maxKvBytes + ")");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be positive (got " + partitions + ")");
        }
        if (plan.contextLength() != context.length) {
            throw new IllegalArgumentException("plan is for " + plan.contextLength() + " tokens, context has "
                    + context.length);
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Named parts of a request; the plan is made from the context length and the block/anchor/page sizes. */
    public static final class Builder {
        private String modelPath;
        private int[] context;
        private int[] question;
        private int maxNewTokens;
        private int blockSize;
        private int anchorSize;
        private int pageSize;
        private String kvDir;
        private KvDtype dtype = KvDtype.F32;
        private KernelsChoice kernels;
        private SparseSettings sparse;
        private ToIntFunction<StarPlan> partitions = plan -> 0;
        private long maxKvBytes = StarSettings.defaults().maxKvBytes();
        private int[] failFirstAttemptBlocks = new int[0];

        private Builder() {
        }

        public Builder model(String path) {
            this.modelPath = path;
            return this;
        }

        /** @param ids [n] BOS + SentencePiece(" " + document) */
        public Builder context(int[] ids) {
            this.context = ids;
            return this;
        }

        /** @param ids [m] SentencePiece(question), no BOS, no added space */
        public Builder question(int[] ids) {
            this.question = ids;
            return this;
        }

        public Builder maxNewTokens(int n) {
            this.maxNewTokens = n;
            return this;
        }

        public Builder blocks(int blockSize, int anchorSize, int pageSize) {
            this.blockSize = blockSize;
            this.anchorSize = anchorSize;
            this.pageSize = pageSize;
            return this;
        }

        public Builder kvDir(String uri) {
            this.kvDir = uri;
            return this;
        }

        public Builder dtype(KvDtype dtype) {
            this.dtype = dtype;
            return this;
        }

        /** @param choice {@code auto|java|aparapi|reference} */
        public Builder kernels(KernelsChoice choice) {
            this.kernels = choice;
            return this;
        }

        /** @param budget sparse page budget, or null for star (exact phase 2) */
        public Builder sparse(SparseSettings budget) {
            this.sparse = budget;
            return this;
        }

        /** Spark partitions (groups of blocks) of phase 1. */
        public Builder partitions(int n) {
            return partitions(plan -> n);
        }

        /** Spark partitions of phase 1, chosen from the document's plan (e.g. from its block count). */
        public Builder partitions(ToIntFunction<StarPlan> choice) {
            this.partitions = choice;
            return this;
        }

        /** The most K/V bytes phase 1 may write for the document (default: spark.starspark.maxKvBytes's). */
        public Builder maxKvBytes(long bytes) {
            this.maxKvBytes = bytes;
            return this;
        }

        /** Test hook: the first attempt of each of these blocks fails after writing its K/V. */
        public Builder failFirstAttemptOf(int... blocks) {
            this.failFirstAttemptBlocks = blocks.clone();
            return this;
        }

        public StarRequest build() {
            Objects.requireNonNull(context, "context");
            StarPlan plan = StarPlan.of(context.length, blockSize, anchorSize, pageSize);
            return new StarRequest(modelPath, context, question, maxNewTokens, plan, kvDir, dtype, kernels, sparse,
                    partitions.applyAsInt(plan), maxKvBytes, failFirstAttemptBlocks);
        }
    }
}
