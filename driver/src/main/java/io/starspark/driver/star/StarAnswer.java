package io.starspark.driver.star;

/**
 * A generated answer with the phase-1 report and decoding timings.
 *
 * @param pagesPerStep    context pages read per decoding step and layer (all pages in exact mode)
 * @param pageVisits      (token, KV head, page) triples attended in sparse mode, summed over layers and steps; 0 when exact
 */
public record StarAnswer(String docId, int[] ids, float[] firstLogits, PrefillReport prefill, long questionNanos,
                         long decodeNanos, long contextBytesRead, double pagesPerStep, long pageVisits) {
}
