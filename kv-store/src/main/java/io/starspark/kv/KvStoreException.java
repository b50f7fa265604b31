package io.starspark.kv;

import io.starspark.errors.UserError;

/**
 * Any K/V store failure (missing, damaged or incompatible stored K/V, a file system that fails); the
 * message names the path and the problem in one line. A user error: the fix is in the K/V location or
 * its files (--reprefill, another --kv-dir).
 */
public class KvStoreException extends UserError {
    private static final long serialVersionUID = 1L;

    public KvStoreException(String message) {
        super(message);
    }

    public KvStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
