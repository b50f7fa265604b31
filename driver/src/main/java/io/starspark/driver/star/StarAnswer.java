package io.starspark.driver.star;

/** A generated answer with the phase-1 report and decoding timings. */
public record StarAnswer(String docId, int[] ids, float[] firstLogits, PrefillReport prefill, long questionNanos,
                         long decodeNanos, long contextBytesRead) {
}
