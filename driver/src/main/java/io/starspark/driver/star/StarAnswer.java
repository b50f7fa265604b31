package io.starspark.driver.star;

/**
 * A generated answer with the phase-1 report and phase-2 timings.
 *
 * @param kernels         the kernel backend phase 2 ran on
 * @param contextBytesRead bytes phase 2 read from the K/V store (its own accounting: cache hits read nothing)
 * @param pagesPerStep    context pages read per decoding step and layer (all pages in exact mode)
 * @param pageVisits      (token, KV head, page) triples attended in sparse mode, summed over layers and steps; 0 when exact
 */
public record StarAnswer(String docId, String kernels, int[] ids, float[] firstLogits, PrefillReport prefill,
                         long questionNanos, long decodeNanos, long contextBytesRead, double pagesPerStep, long pageVisits) {
}
