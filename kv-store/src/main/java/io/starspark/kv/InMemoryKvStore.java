package io.starspark.kv;

import java.util.concurrent.atomic.AtomicLong;

/** A {@link KvStore} held in memory (tests, single-JVM runs); same file format and rules as on disk. */
public final class InMemoryKvStore extends BlobKvStore {
    private static final AtomicLong NEXT = new AtomicLong();

    /** @param binding {@link Manifest#binding()} of the manifest the blocks belong to */
    public InMemoryKvStore(KvLayout layout, String binding, long cacheBytes) {
        this("memory://kv-" + NEXT.incrementAndGet(), layout, binding, cacheBytes);
    }

    private InMemoryKvStore(String root, KvLayout layout, String binding, long cacheBytes) {
        super(root, new MemoryBlobs(root), layout, binding, cacheBytes);
    }
}
