package io.starspark.kv;

/** Any K/V store failure; the message names the path and the problem in one line. */
public class KvStoreException extends RuntimeException {
    public KvStoreException(String message) {
        super(message);
    }

    public KvStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
