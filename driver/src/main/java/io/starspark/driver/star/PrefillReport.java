package io.starspark.driver.star;

import java.io.Serializable;
import java.util.List;

/**
 * Outcome of phase 1 for one document (its K/V and page summaries are in the K/V store at {@code kvRoot}).
 *
 * @param reused      true when an already-committed prefill (same manifest) was found and nothing ran
 * @param executors   distinct executor ids that ran blocks
 * @param peakHeapBytes largest heap peak reported by any executor
 */
public record PrefillReport(String kvRoot, int contextTokens, int blocks, boolean reused, List<String> executors,
                            long nanos, long kvBytes, long peakHeapBytes, int retriedTasks) implements Serializable {

    public double seconds() {
        return nanos / 1e9;
    }

    public double tokensPerSecond() {
        return nanos == 0 ? 0 : contextTokens / seconds();
    }
}
