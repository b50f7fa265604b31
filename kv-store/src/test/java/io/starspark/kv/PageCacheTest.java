package io.starspark.kv;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** LRU eviction within the byte budget; an entry costs 4 bytes per float plus 64. */
class PageCacheTest {
    /** 8 + 8 floats: 4 * 16 + 64 = 128 bytes. */
    private static PageCache.Entry entry() {
        return new PageCache.Entry(new float[8], new float[8]);
    }

    private static PageCache.Key key(int page) {
        return new PageCache.Key(0, 0, page);
    }

    @Test
    void entryCostIsFourBytesPerFloatPlusOverhead() {
        assertEquals(128, entry().bytes());
        assertEquals(4L * 7 + 64, new PageCache.Entry(new float[3], new float[4]).bytes());
    }

    @Test
    void theLeastRecentlyUsedPagesLeaveFirstWhenTheBudgetIsFull() {
        PageCache cache = new PageCache(3 * 128);
        PageCache.Entry a = entry();
        PageCache.Entry b = entry();
        PageCache.Entry c = entry();
        cache.put(key(0), a);
        cache.put(key(1), b);
        cache.put(key(2), c); // exactly the budget: nothing leaves
        assertSame(a, cache.get(key(0))); // page 0 is now the most recent, page 1 the eldest
        cache.put(key(3), entry());
        assertNull(cache.get(key(1)), "the least recently used page left");
        assertSame(a, cache.get(key(0)));
        assertSame(c, cache.get(key(2)));
        assertEquals(3, cache.hits());
    }

    @Test
    void replacingAPageCountsOnlyItsNewSize() {
        PageCache cache = new PageCache(2 * 128);
        cache.put(key(0), entry());
        cache.put(key(0), entry()); // same key: still one entry of 128 bytes
        PageCache.Entry b = entry();
        cache.put(key(1), b);
        assertSame(b, cache.get(key(1)));
        cache.get(key(0));
        assertEquals(2, cache.hits(), "both pages fit after a replacement");
    }

    @Test
    void anEntryOverTheBudgetIsNotCachedAndEvictsNothing() {
        PageCache cache = new PageCache(200);
        PageCache.Entry small = entry();
        cache.put(key(0), small);
        cache.put(key(1), new PageCache.Entry(new float[20], new float[20])); // 224 bytes
        assertNull(cache.get(key(1)));
        assertSame(small, cache.get(key(0)));
        PageCache off = new PageCache(0);
        off.put(key(0), new PageCache.Entry(new float[0], new float[0]));
        assertNull(off.get(key(0)), "a budget of 0 caches nothing");
    }

    @Test
    void anEntryOfExactlyTheBudgetIsCached() {
        PageCache cache = new PageCache(128);
        PageCache.Entry e = entry();
        cache.put(key(0), e);
        assertSame(e, cache.get(key(0)));
    }

    @Test
    void clearEmptiesTheCacheAndItsByteCount() {
        PageCache cache = new PageCache(2 * 128);
        cache.put(key(0), entry());
        cache.put(key(1), entry());
        cache.clear();
        assertNull(cache.get(key(0)));
        PageCache.Entry a = entry();
        PageCache.Entry b = entry();
        cache.put(key(2), a);
        cache.put(key(3), b);
        assertSame(a, cache.get(key(2)), "after clear the whole budget is free again");
        assertSame(b, cache.get(key(3)));
    }

    @Test
    void aNegativeBudgetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PageCache(-1));
        assertEquals("cache budget must be >= 0 bytes (got -1)", e.getMessage());
    }
}
