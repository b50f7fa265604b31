package io.starspark.kv;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

class InMemoryKvStoreTest extends KvStoreContract {
    // two writer threads open the same document at once (concurrent-writers case): a plain HashMap
    // threw ConcurrentModificationException in one of them, and the other then waited forever
    private final Map<String, MemoryBlobs> docs = new ConcurrentHashMap<>();

    @Override
    BlobKvStore open(String doc, KvLayout layout, String binding, long cacheBytes) {
        String root = "memory://test/" + doc;
        return new BlobKvStore(root, docs.computeIfAbsent(doc, d -> new MemoryBlobs(root)), layout, binding, cacheBytes);
    }
}
