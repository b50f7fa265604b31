package io.starspark.kv;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link KvStore} held in memory (tests, single-JVM runs); same file format and rules as on disk. */
public final class InMemoryKvStore extends BlobKvStore {
    private static final AtomicLong NEXT = new AtomicLong();

    public InMemoryKvStore(KvLayout layout, long cacheBytes) {
        this("memory://kv-" + NEXT.incrementAndGet(), layout, cacheBytes);
    }

    private InMemoryKvStore(String root, KvLayout layout, long cacheBytes) {
        super(root, new MemoryBlobs(root), layout, cacheBytes);
    }
}
