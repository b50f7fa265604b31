package io.starspark.workers.conf;

/** Value of {@code spark.starspark.kvDtype}: element type of K/V pages in the store. */
public enum KvDtype {
    F32,
    F16
}
