package io.starspark.workers;

import java.io.Serializable;

/**
 * What a phase-1 task sends back to the driver for one block: stats only. K/V and their page summaries
 * go to the K/V store, never through the driver; readers take the summaries from the store.
 *
 * @param doc           the document's index in its phase-1 job ({@link PrefillWork#doc()})
 * @param kvBytes       K/V bytes the block holds as stored (keys and values of all layers)
 * @param attempt       the Spark task attempt that wrote it (0 = first)
 * @param peakHeapBytes heap peak of the executor JVM when the block was done
 */
public record BlockResult(int doc, int blockIndex, long kvBytes, String executorId, int attempt, long peakHeapBytes)
        implements Serializable {
}
