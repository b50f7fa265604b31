package io.starspark.workers;

import java.io.Serializable;

/**
 * What a phase-1 task sends back to the driver for one block: page summaries (small) and stats.
 * K/V themselves go to the K/V store, never through the driver.
 *
 * @param pageMin [layers][pages·kvHeads·headDim] per-channel key minimum of each page of the block
 * @param pageMax [layers][pages·kvHeads·headDim] per-channel key maximum
 */
public record BlockResult(int blockIndex, int firstToken, int tokens, int runTokens,
                          float[][] pageMin, float[][] pageMax,
                          long kvBytes, long nanos, String executorId, int attempt, long peakHeapBytes)
        implements Serializable {
}
