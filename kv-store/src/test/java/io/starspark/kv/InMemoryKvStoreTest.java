package io.starspark.kv;

import java.util.HashMap;
import java.util.Map;

class InMemoryKvStoreTest extends KvStoreContract {
    private final Map<String, MemoryBlobs> docs = new HashMap<>();

    @Override
    BlobKvStore open(String doc, KvLayout layout, long cacheBytes) {
        String root = "memory://test/" + doc;
        return new BlobKvStore(root, docs.computeIfAbsent(doc, d -> new MemoryBlobs(root)), layout, cacheBytes);
    }
}
