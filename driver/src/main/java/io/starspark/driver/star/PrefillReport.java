package io.starspark.driver.star;

import io.starspark.kv.PageSummaries;
import java.util.List;

/**
 * Outcome of phase 1 for one document.
 *
 * @param summaries   per layer, the page summaries of the whole context in page order
 * @param reused      true when an already-committed prefill (same manifest) was found and nothing ran
 * @param executors   distinct executor ids that ran blocks
 * @param peakHeapBytes largest heap peak reported by any executor
 */
public record PrefillReport(String kvRoot, int contextTokens, int blocks, boolean reused, List<String> executors,
                            long nanos, long kvBytes, long peakHeapBytes, int retriedTasks,
                            PageSummaries[] summaries) {

    public double seconds() {
        return nanos / 1e9;
    }

    public double tokensPerSecond() {
        return nanos == 0 ? 0 : contextTokens / seconds();
    }
}
