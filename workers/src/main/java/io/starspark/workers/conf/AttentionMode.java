package io.starspark.workers.conf;

/** Value of {@code spark.starspark.attention}. */
public enum AttentionMode {
    /** Ordinary causal attention over the whole sequence in one JVM (the reference). */
    FULL,
    /** Star Attention phase 1 (blocks + anchor), exact phase 2 over all stored pages. */
    STAR,
    /** Star Attention phase 1, phase 2 over the top-k pages by Quest score plus sink and local pages. */
    SPARSE
}
