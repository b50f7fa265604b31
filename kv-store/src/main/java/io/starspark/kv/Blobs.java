package io.starspark.kv;

import java.util.List;

/**
 * The few file operations a {@link BlobKvStore} needs, on names relative to the document root
 * ({@code blocks/block-000017.kv}, {@code _tmp/...}, {@code manifest.json}). Failures throw
 * {@link KvStoreException} naming the full location.
 */
interface Blobs extends AutoCloseable {

    /** Full location of {@code name} for messages, e.g. {@code hdfs://nn:8020/kv/doc-1/blocks/block-000003.kv}. */
    String where(String name);

    boolean exists(String name);

    long length(String name);

    /** Reads {@code length} bytes at {@code offset} (a positioned read). */
    byte[] read(String name, long offset, int length);

    /** Creates or overwrites {@code name} with {@code bytes}; not atomic (used for temporary names). */
    void write(String name, byte[] bytes);

    /** Renames; returns false (and changes nothing) when {@code to} already exists or {@code from} is gone. */
    boolean rename(String from, String to);

    /** File names directly under {@code dir} (empty if it does not exist). */
    List<String> list(String dir);

    void delete(String name);

    /** Deletes the document root and everything under it. */
    void deleteAll();

    @Override
    void close();
}
