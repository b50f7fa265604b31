package io.starspark.workers;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kv.KvLayout;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What every phase-1 task of one document needs besides its blocks (shipped with the task closure).
 *
 * @param modelPath             GGUF path readable on every executor
 * @param kvRoot                URI of the document's K/V (file://, hdfs://, s3a://)
 * @param layout                K/V layout (layers, kvHeads, headDim, pageSize, dtype)
 * @param kernels               kernel backend choice
 * @param failFirstAttemptBlocks test hook: the first attempt of each of these blocks fails after writing its
 *                               K/V, to prove retries are harmless; empty in every real run
 */
public record PrefillConf(String modelPath, String kvRoot, KvLayout layout, KernelsChoice kernels, int[] failFirstAttemptBlocks)
        implements Serializable {
    public PrefillConf {
        Objects.requireNonNull(modelPath, "modelPath");
        Objects.requireNonNull(kvRoot, "kvRoot");
        Objects.requireNonNull(layout, "layout");
        Objects.requireNonNull(kernels, "kernels");
        failFirstAttemptBlocks = failFirstAttemptBlocks.clone();
    }

    /** True when the test hook asks block {@code blockIndex}'s first attempt to fail. */
    boolean failsFirstAttempt(int blockIndex) {
        return Arrays.stream(failFirstAttemptBlocks).anyMatch(b -> b == blockIndex);
    }
}
