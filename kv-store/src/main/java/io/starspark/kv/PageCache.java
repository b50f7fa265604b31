package io.starspark.kv;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** LRU cache of decoded pages within a byte budget (0 disables it). Thread-safe. */
final class PageCache {
    /** Page {@code localPage} of block {@code block}, layer {@code layer}. */
    record Key(int block, int layer, int localPage) {
    }

    /** Decoded page: {@code k, v: [tokens][kvHeads][headDim]}. */
    record Entry(float[] k, float[] v) {
        long bytes() {
            return 4L * (k.length + v.length) + 64;
        }
    }

    private final long budgetBytes;
    private final LinkedHashMap<Key, Entry> map = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;
    private long hits;

    PageCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("cache budget must be >= 0 bytes (got " + budgetBytes + ")");
        }
        this.budgetBytes = budgetBytes;
    }

    synchronized Entry get(Key key) {
        Entry e = map.get(key);
        if (e != null) {
            hits++;
        }
        return e;
    }

    synchronized void put(Key key, Entry entry) {
        if (entry.bytes() > budgetBytes) {
            return;
        }
        Entry old = map.put(key, entry);
        bytes += entry.bytes() - (old == null ? 0 : old.bytes());
        Iterator<Map.Entry<Key, Entry>> eldest = map.entrySet().iterator();
        while (bytes > budgetBytes) {
            bytes -= eldest.next().getValue().bytes();
            eldest.remove();
        }
    }

    synchronized void clear() {
        map.clear();
        bytes = 0;
    }

    synchronized long hits() {
        return hits;
    }
}
