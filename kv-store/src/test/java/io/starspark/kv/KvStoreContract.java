package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link KvStore} must do. Subclasses give one factory: {@link #open}. Random data come from a
 * fixed seed ({@code -Dstarspark.test.seed=N} to try another), printed by each test.
 */
abstract class KvStoreContract {
    static final KvLayout F32 = new KvLayout(2, 2, 4, 4, KvDtype.F32);
    static final KvLayout F16 = new KvLayout(2, 2, 4, 4, KvDtype.F16);
    /** 21 tokens: blocks [0,8) [8,16) [16,21); pages of 4, the last (page 5) holds one token. */
    static final StarPlan PLAN = StarPlan.of(21, 8, 3, 4);

    private String doc;
    private long seed;

    /**
     * Opens the store of document {@code doc} whose blocks carry {@code binding}; two calls with the same name
     * see the same data.
     */
    abstract BlobKvStore open(String doc, KvLayout layout, String binding, long cacheBytes);

    /** The store of {@code doc} bound to the test manifest of {@code layout} and {@link #PLAN}'s sizes. */
    BlobKvStore open(String doc, KvLayout layout, long cacheBytes) {
        StarPlan plan = StarPlan.of(PLAN.contextLength(), PLAN.blockSize(), PLAN.anchorSize(), layout.pageSize());
        return open(doc, layout, TestDocs.manifest(layout, plan).binding(), cacheBytes);
    }

    @BeforeEach
    void newDocument() {
        doc = "doc-" + UUID.randomUUID();
        seed = Long.getLong("starspark.test.seed", 20260515L);
        System.out.println(getClass().getSimpleName() + ": seed " + seed);
    }

    private BlobKvStore open(KvLayout layout) {
        return open(doc, layout, BlobKvStore.DEFAULT_CACHE_BYTES);
    }

    private TestDocs written(KvLayout layout) {
        TestDocs d = new TestDocs(layout, PLAN, seed);
        try (KvStore store = open(layout)) {
            d.writeAll(store);
        }
        return d;
    }

    private static void assertAllPages(TestDocs d, KvStore store) {
        for (int l = 0; l < d.layout.layers(); l++) {
            PageKv all = store.readAll(l);
            assertArrayEquals(d.rows(d.k[l], 0, 21), all.k(), "keys of layer " + l);
            assertArrayEquals(d.rows(d.v[l], 0, 21), all.v(), "values of layer " + l);
            assertArrayEquals(new int[] {4, 4, 4, 4, 4, 1}, all.pageTokens());
            assertArrayEquals(new int[] {0, 4, 8, 12, 16, 20}, all.pageStart());
            int[] positions = new int[21];
            Arrays.setAll(positions, i -> i);
            assertArrayEquals(positions, all.positions());
        }
    }

    @Test
    void roundTripF32IsExact() {
        TestDocs d = written(F32);
        try (KvStore store = open(F32)) {
            assertEquals(List.of(0, 1, 2), store.committedBlocks());
            assertAllPages(d, store);
        }
    }

    /** Each block file takes exactly what the layout says (what phase 1's K/V limit and the cluster ITs count). */
    @Test
    void blockFilesTakeExactlyTheLayoutsBytes() {
        for (KvLayout layout : List.of(F32, F16)) {
            try (BlobKvStore store = open(doc + "-" + layout.dtype(), layout, BlobKvStore.DEFAULT_CACHE_BYTES)) {
                new TestDocs(layout, PLAN, seed).writeAll(store);
                for (io.starspark.sharding.Block b : PLAN.blocks()) {
                    assertEquals(layout.blockFileBytes(b.keptLength()), store.blobs().length(BlobKvStore.blockName(b.index())),
                            layout + ", block " + b.index());
                }
            }
        }
    }

    @Test
    void roundTripF16IsWithinHalfPrecision() {
        TestDocs d = written(F16);
        try (KvStore store = open(F16)) {
            assertAllPages(d, store); // equal to the F16-rounded input
            float[] k = store.readAll(1).k();
            for (int i = 0; i < k.length; i++) {
                assertEquals(d.k[1][i], k[i], Math.abs(d.k[1][i]) * 0x1p-11f + 0x1p-24f, "key " + i);
            }
        }
    }

    @Test
    void selectedPagesComeBackInTheRequestedOrder() {
        TestDocs d = written(F32);
        int[] pages = {5, 0, 3, 3, 2};
        try (KvStore store = open(F32)) {
            PageKv got = store.readPages(1, pages);
            assertEquals(4 + 1 + 4 + 4 + 4, got.tokens());
            assertArrayEquals(new int[] {1, 4, 4, 4, 4}, got.pageTokens());
            assertArrayEquals(new int[] {20, 0, 12, 12, 8}, got.pageStart());
            assertArrayEquals(new int[] {20, 0, 1, 2, 3, 12, 13, 14, 15, 12, 13, 14, 15, 8, 9, 10, 11}, got.positions());
            float[] expected = concat(d.rows(d.k[1], 20, 21), d.rows(d.k[1], 0, 4), d.rows(d.k[1], 12, 16),
                    d.rows(d.k[1], 12, 16), d.rows(d.k[1], 8, 12));
            assertArrayEquals(expected, got.k());
            assertEquals(0, store.readPages(0, new int[0]).tokens());
        }
    }

    @Test
    void cachedAndUncachedReadsAgree() {
        written(F32);
        try (BlobKvStore cached = open(F32); BlobKvStore uncached = open(doc, F32, 0)) {
            PageKv first = cached.readPages(0, new int[] {1, 4});
            PageKv again = cached.readPages(0, new int[] {4, 1});
            assertTrue(cached.cacheHits() >= 2, "second read is served from the cache");
            assertArrayEquals(first.k(), swap(again));
            assertArrayEquals(first.v(), uncached.readPages(0, new int[] {1, 4}).v());
            assertEquals(0, uncached.cacheHits());
        }
    }

    @Test
    void bytesReadCountTheStorageReadsNotTheCacheHits() {
        written(F32);
        try (BlobKvStore store = open(F32)) {
            assertEquals(0, store.bytesRead(), "opening reads nothing");
            store.readPages(0, new int[] {0});
            long afterMetas = store.bytesRead();
            assertTrue(afterMetas > BlockFile.slotBytes(F32), "the block metas and one page slot: " + afterMetas);
            store.readPages(1, new int[] {1, 4});
            assertEquals(afterMetas + 2L * BlockFile.slotBytes(F32), store.bytesRead(), "two more page slots");
            store.readPages(1, new int[] {4, 1, 1});
            assertEquals(afterMetas + 2L * BlockFile.slotBytes(F32), store.bytesRead(), "cached pages read nothing");
        }
    }

    /** Pages {4, 1} → {1, 4} for 4-token pages. */
    private static float[] swap(PageKv kv) {
        int row = kv.kvHeads() * kv.headDim() * 4;
        return concat(Arrays.copyOfRange(kv.k(), row, 2 * row), Arrays.copyOfRange(kv.k(), 0, row));
    }

    @Test
    void retriedWriteOfTheSameBlockIsHarmlessButDifferentBytesAreRefused() {
        TestDocs d = written(F32);
        try (KvStore store = open(F32)) {
            Block b1 = PLAN.block(1);
            store.writeBlock(1, b1.start(), d.block(b1));
            assertEquals(List.of(0, 1, 2), store.committedBlocks());
            assertAllPages(d, store);
            BlockKv other = d.block(b1);
            other.k()[0][5] += 1;
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.writeBlock(1, b1.start(), other));
            assertTrue(e.getMessage().contains("block-000001.kv already holds different K/V for block 1"), e.getMessage());
            assertAllPages(d, store);
        }
    }

    @Test
    void crashedWriteIsInvisibleAndCleanedByTheNextWrite() {
        TestDocs d = new TestDocs(F32, PLAN, seed);
        try (BlobKvStore store = open(F32)) {
            store.writeBlock(0, 0, d.block(PLAN.block(0)));
            store.readPages(0, new int[] {0}); // the reader has looked before block 1 exists
            byte[] full = encoded(d, 1);
            store.blobs().write("_tmp/block-000001.kv.crashed", Arrays.copyOf(full, full.length / 2));
            store.blobs().write("_tmp/block-000001.kv.complete-but-not-renamed", full);
            assertEquals(List.of(0), store.committedBlocks());
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {2}));
            assertTrue(e.getMessage().contains("page 2 of " + store.root() + " is not stored"), e.getMessage());
            store.writeBlock(1, 8, d.block(PLAN.block(1)));
            assertEquals(List.of(), store.blobs().list("_tmp"), "stale temporaries deleted");
            assertArrayEquals(d.rows(d.k[0], 8, 12), store.readPages(0, new int[] {2}).k());
        }
    }

    private static byte[] encoded(TestDocs d, int block) {
        try (InMemoryKvStore scratch = new InMemoryKvStore(d.layout, d.manifest().binding(), 0)) {
            Block b = d.plan.block(block);
            scratch.writeBlock(b.index(), b.start(), d.block(b));
            String name = BlobKvStore.blockName(block);
            return scratch.blobs().read(name, 0, (int) scratch.blobs().length(name));
        }
    }

    @Test
    void corruptedPageIsReportedWithItsPath() {
        written(F32);
        corruptByte(BlobKvStore.blockName(1), -10); // inside the last data slot
        try (KvStore store = open(F32)) {
            store.readPages(0, new int[] {2}); // other slots still verify
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(1, new int[] {3}));
            assertTrue(e.getMessage().contains("block-000001.kv (layer 1, page 3) is corrupt: page checksum mismatch"),
                    e.getMessage());
        }
    }

    @Test
    void corruptedHeaderOrTruncatedFileIsReported() {
        written(F32);
        corruptByte(BlobKvStore.blockName(2), BlockFile.HEADER_BYTES + 2);
        try (KvStore store = open(F32)) {
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {4}));
            assertTrue(e.getMessage().contains("block-000002.kv is corrupt: header checksum mismatch"), e.getMessage());
        }
        try (BlobKvStore store = open(F32)) {
            String name = BlobKvStore.blockName(0);
            byte[] bytes = store.blobs().read(name, 0, (int) store.blobs().length(name));
            store.blobs().write(name, Arrays.copyOf(bytes, bytes.length - 3));
        }
        try (KvStore store = open(F32)) {
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}));
            assertTrue(e.getMessage().contains("block-000000.kv is corrupt"), e.getMessage());
        }
    }

    /**
     * A block file of another document (valid checksums, same layout) placed in this document's folder is
     * refused on read, naming the file; so is one of the same document written for other settings.
     */
    @Test
    void aBlockOfAnotherDocumentOrSettingsIsRefused() {
        TestDocs d = written(F32);
        String name = BlobKvStore.blockName(1);
        String otherDoc = doc + "-other";
        int[] otherTokens = new int[PLAN.contextLength()];
        Arrays.setAll(otherTokens, i -> i + 3);
        Manifest other = Manifest.of("doc-2", d.manifest().modelId(), F32, PLAN, otherTokens, "test");
        byte[] planted;
        try (BlobKvStore store = open(otherDoc, F32, other.binding(), 0)) {
            new TestDocs(F32, PLAN, seed + 1).writeAll(store);
            planted = store.blobs().read(name, 0, (int) store.blobs().length(name));
        }
        try (BlobKvStore store = open(F32)) {
            store.blobs().delete(name);
            store.blobs().write(name, planted);
        }
        try (KvStore store = open(F32)) {
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {2}));
            assertTrue(e.getMessage().contains("block-000001.kv belongs to another document, model or settings"),
                    e.getMessage());
            assertThrows(KvStoreException.class, store::readSummaries);
        }
        Manifest otherSettings = TestDocs.manifest(F32, StarPlan.of(21, 8, 4, 4)); // anchorSize 4, not 3
        try (KvStore store = open(doc, F32, otherSettings.binding(), 0)) {
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}));
            assertTrue(e.getMessage().contains("block-000000.kv belongs to another document, model or settings"),
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> store.commit(d.manifest()), "a manifest of other bindings");
        }
    }

    /** Header sizes whose products overflow int (arrays of negative size before) are a corrupt header. */
    @Test
    void absurdHeaderSizesAreACorruptHeader() {
        int[][] headers = {
            {0x7fffffff, 0x7fffffff, 4, 4}, // layers, kvHeads: the summaries' sizes overflow int
            {2, 65536, 65536, 4},           // kvHeads * headDim overflows int
            {2, 2, 4, 0x40000000},          // pageSize * row bytes overflow int
            {2, 2, 4, -4},
        };
        for (int[] h : headers) {
            written(F32);
            try (BlobKvStore store = open(F32)) {
                String name = BlobKvStore.blockName(0);
                byte[] bytes = store.blobs().read(name, 0, (int) store.blobs().length(name));
                java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < h.length; i++) {
                    b.putInt(8 + 4 * i, h[i]);
                }
                store.blobs().write(name, bytes);
            }
            try (KvStore store = open(F32)) {
                KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}),
                        Arrays.toString(h));
                assertTrue(e.getMessage().contains("block-000000.kv has a corrupt header"), e.getMessage());
            }
            newDocument();
        }
    }

    private void corruptByte(String name, int offset) {
        try (BlobKvStore store = open(F32)) {
            byte[] bytes = store.blobs().read(name, 0, (int) store.blobs().length(name));
            int at = offset < 0 ? bytes.length + offset : offset;
            bytes[at] ^= 0x5a;
            store.blobs().write(name, bytes);
        }
    }

    @Test
    void manifestIsCommittedLastAndRoundTrips() {
        TestDocs d = new TestDocs(F16, PLAN, seed);
        Manifest manifest = d.manifest();
        try (KvStore store = open(F16)) {
            assertEquals(Optional.empty(), store.readManifest());
            store.writeBlock(0, 0, d.block(PLAN.block(0)));
            store.writeBlock(2, 16, d.block(PLAN.block(2)));
            KvStoreException missing = assertThrows(KvStoreException.class, () -> store.commit(manifest));
            assertEquals("cannot commit " + store.root() + ": blocks [1] of 3 are missing", missing.getMessage());
            assertEquals(Optional.empty(), store.readManifest());
            store.writeBlock(1, 8, d.block(PLAN.block(1)));
            store.commit(manifest);
            store.commit(manifest); // idempotent
        }
        try (KvStore store = open(F16)) {
            Manifest stored = store.readManifest().orElseThrow();
            assertEquals(manifest, stored);
            stored.requireCompatible(manifest, store.root());
            Manifest other = new Manifest(1, "doc-1", "270c" + "0".repeat(60), manifest.modelConfig(), 21, 8, 3, 4,
                    KvDtype.F16, manifest.contextTokensHash(), "someone else");
            KvStoreException e = assertThrows(KvStoreException.class, () -> stored.requireCompatible(other, store.root()));
            assertEquals("K/V at " + store.root() + " was prefilled with model " + manifest.modelId()
                    + " but this run uses " + other.modelId() + "; re-prefill with --reprefill or point --kv-dir elsewhere", e.getMessage());
        }
    }

    @Test
    void summariesRoundTripAndBoundStoredKeys() {
        for (KvLayout layout : new KvLayout[] {F32, F16}) {
            newDocument();
            TestDocs d = new TestDocs(layout, PLAN, seed);
            try (KvStore store = open(layout)) {
                for (Block b : PLAN.blocks()) {
                    store.writeBlock(b.index(), b.start(), d.block(b));
                }
            }
            try (KvStore store = open(layout)) {
                PageSummaries[] all = store.readSummaries();
                for (int l = 0; l < layout.layers(); l++) {
                    PageSummaries expected = PageSummaries.of(d.rows(d.k[l], 0, 21), 21, 2, 4, 4);
                    assertArrayEquals(expected.min(), all[l].min());
                    assertArrayEquals(expected.max(), all[l].max());
                    assertBoundHolds(all[l], store.readAll(l), new SplittableRandom(seed + l));
                }
            }
        }
    }

    /** For random queries, the Quest bound of every page and head ≥ the exact max q·k of the keys read back. */
    static void assertBoundHolds(PageSummaries s, PageKv kv, SplittableRandom random) {
        int hd = kv.headDim();
        for (int trial = 0; trial < 200; trial++) {
            float[] q = new float[hd];
            for (int c = 0; c < hd; c++) {
                q[c] = (float) (random.nextGaussian() * (trial % 2 == 0 ? 1 : 100));
            }
            int row = 0;
            for (int p = 0; p < kv.pages().length; p++) {
                for (int h = 0; h < kv.kvHeads(); h++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int t = row; t < row + kv.pageTokens()[p]; t++) {
                        double dot = 0;
                        for (int c = 0; c < hd; c++) {
                            dot += (double) q[c] * kv.k()[(t * kv.kvHeads() + h) * hd + c];
                        }
                        max = Math.max(max, dot);
                    }
                    double bound = s.upperBound(kv.pages()[p], h, q, 0);
                    assertTrue(bound >= max, "page " + p + " head " + h + ": bound " + bound + " < max q.k " + max);
                }
                row += kv.pageTokens()[p];
            }
        }
    }

    @Test
    void readersSeeBlocksCommittedAfterTheyOpened() {
        TestDocs d = new TestDocs(F32, PLAN, seed);
        try (KvStore reader = open(F32); KvStore writer = open(F32)) {
            assertEquals(List.of(), reader.committedBlocks());
            assertThrows(KvStoreException.class, () -> reader.readSummaries());
            d.writeAll(writer);
            assertAllPages(d, reader);
        }
    }

    @Test
    void deleteRemovesTheDocument() {
        TestDocs d = written(F32);
        try (KvStore store = open(F32)) {
            d.writeAll(store);
            store.commit(d.manifest());
            store.delete();
            assertEquals(List.of(), store.committedBlocks());
            assertEquals(Optional.empty(), store.readManifest());
            assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}));
            d.writeAll(store); // a fresh prefill into the same place works
            assertAllPages(d, store);
        }
    }

    /** After delete, a different document written to the same place reads back as itself (no stale cache or metas). */
    @Test
    void deleteForgetsCachedPagesAndBlockMetas() {
        TestDocs first = new TestDocs(F32, PLAN, seed);
        TestDocs second = new TestDocs(F32, PLAN, seed + 1);
        try (BlobKvStore store = open(F32)) {
            first.writeAll(store);
            assertAllPages(first, store); // every page decoded and cached, every block meta loaded
            store.delete();
            second.writeAll(store);
            long hits = store.cacheHits();
            assertAllPages(second, store);
            assertEquals(hits, store.cacheHits(), "no page comes from the cache of before the delete");
            store.delete();
            TestDocs shorter = new TestDocs(F32, StarPlan.of(8, 8, 3, 4), seed + 2); // one block, pages 0..1
            shorter.writeAll(store);
            assertArrayEquals(shorter.rows(shorter.k[1], 0, 8), store.readAll(1).k());
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {2}));
            assertTrue(e.getMessage().contains("page 2 of " + store.root() + " is not stored"), e.getMessage());
        }
    }

    /**
     * Blobs: rename refuses to replace an existing file, and returns false for a source that is gone (it does
     * not throw), changing nothing either way; list names what is there.
     */
    @Test
    void blobsRenameNeitherReplacesNorInvents() {
        try (BlobKvStore store = open(F32)) {
            Blobs blobs = store.blobs();
            blobs.write("_tmp/a", new byte[] {1});
            blobs.write("blocks/b", new byte[] {2, 3});
            assertFalse(blobs.rename("_tmp/a", "blocks/b"), "the target exists");
            assertArrayEquals(new byte[] {2, 3}, blobs.read("blocks/b", 0, 2));
            assertTrue(blobs.exists("_tmp/a"));
            assertTrue(blobs.rename("_tmp/a", "blocks/c"));
            assertFalse(blobs.exists("_tmp/a"));
            assertFalse(blobs.rename("_tmp/a", "blocks/d"), "the source is gone");
            assertFalse(blobs.exists("blocks/d"));
            assertEquals(List.of("b", "c"), blobs.list("blocks").stream().sorted().toList());
            assertFalse(blobs.rename("_tmp/gone", "elsewhere/e"));
            assertFalse(blobs.exists("elsewhere"), "a rename that returns false creates no folder");
            assertEquals(List.of(), blobs.list("nothing-here"));
            KvStoreException e = assertThrows(KvStoreException.class, () -> blobs.read("blocks/b", 1, 2));
            assertTrue(e.getMessage().contains("blocks/b"), e.getMessage());
        }
    }

    @Test
    void aStoreOfAnotherLayoutRefusesTheFiles() {
        written(F32);
        try (KvStore store = open(F16)) {
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}));
            assertTrue(e.getMessage().contains("holds K/V of " + F32 + " but this store expects " + F16), e.getMessage());
        }
    }

    static float[] concat(float[]... parts) {
        int n = 0;
        for (float[] p : parts) {
            n += p.length;
        }
        float[] out = new float[n];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void writeRejectsBadInputClearly() {
        TestDocs d = new TestDocs(F32, PLAN, seed);
        try (KvStore store = open(F32)) {
            BlockKv b1 = d.block(PLAN.block(1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.writeBlock(1, 6, b1));
            assertEquals("block 1 must start at a token multiple of pageSize 4 (got firstToken 6)", e.getMessage());
            assertFalse(store.committedBlocks().contains(1));
        }
    }

    /** Speculative/retried attempts of the same blocks in two threads (two store instances, like two executors). */
    @Test
    void concurrentWritersOfTheSameBlocksBothSucceed() throws Exception {
        TestDocs d = new TestDocs(F32, PLAN, seed);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 6; round++) {
                String name = doc + "-race-" + round;
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<?>> writers = List.of(pool.submit(() -> writeAllAfter(start, name, d)),
                        pool.submit(() -> writeAllAfter(start, name, d)));
                for (Future<?> w : writers) {
                    w.get(); // neither attempt fails
                }
                try (BlobKvStore store = open(name, F32, 0)) {
                    assertAllPages(d, store);
                    assertEquals(List.of(), store.blobs().list("_tmp"), "no temporaries left (round " + round + ")");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private Void writeAllAfter(CyclicBarrier start, String name, TestDocs d) throws Exception {
        try (KvStore store = open(name, F32, 0)) {
            start.await(60, java.util.concurrent.TimeUnit.SECONDS); // the other writer failed if this times out
            d.writeAll(store);
        }
        return null;
    }

    @Test
    void readersDuringWritesSeeCommittedPagesIntact() throws Exception {
        TestDocs d = new TestDocs(F32, PLAN, seed);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (KvStore writer = open(F32); KvStore reader = open(doc, F32, 0)) {
            writer.writeBlock(0, 0, d.block(PLAN.block(0)));
            Future<?> writes = pool.submit(() -> {
                for (int b = 1; b < PLAN.blockCount(); b++) {
                    writer.writeBlock(b, PLAN.block(b).start(), d.block(PLAN.block(b)));
                }
            });
            int reads = 0;
            while (!writes.isDone() || reads < 5) {
                PageKv got = reader.readPages(1, new int[] {1, 0});
                assertArrayEquals(d.rows(d.k[1], 0, 8), swapPages(got.k(), 4 * F32.rowFloats()), "read " + reads);
                reads++;
            }
            writes.get();
            assertAllPages(d, reader);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Two pages of {@code pageFloats} each, in swapped order. */
    private static float[] swapPages(float[] k, int pageFloats) {
        return concat(Arrays.copyOfRange(k, pageFloats, 2 * pageFloats), Arrays.copyOfRange(k, 0, pageFloats));
    }

    @Test
    void pagesOfOneToken() {
        KvLayout one = new KvLayout(2, 2, 4, 1, KvDtype.F32);
        StarPlan plan = StarPlan.of(7, 3, 2, 1); // blocks [0,3) [3,6) [6,7)
        TestDocs d = new TestDocs(one, plan, seed);
        try (KvStore store = open(doc, one, d.manifest().binding(), BlobKvStore.DEFAULT_CACHE_BYTES)) {
            d.writeAll(store);
            store.commit(d.manifest());
            for (int l = 0; l < 2; l++) {
                PageKv all = store.readAll(l);
                assertArrayEquals(d.rows(d.k[l], 0, 7), all.k());
                assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1}, all.pageTokens());
                PageSummaries s = store.readSummaries()[l];
                assertEquals(7, s.pages());
                assertArrayEquals(all.k(), s.min(), "one key per page: min = key");
                assertArrayEquals(all.k(), s.max(), "one key per page: max = key");
                assertArrayEquals(d.rows(d.k[l], 4, 5), store.readPages(l, new int[] {4}).k());
            }
        }
    }

    @Test
    void pagesOutsideTheDocumentAreClearErrors() {
        written(F32);
        try (KvStore store = open(F32)) {
            KvStoreException beyond = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {1, 6}));
            assertEquals("page 6 of " + store.root() + " is not stored: no committed block holds it (stored pages: 0..5)",
                    beyond.getMessage());
            IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                    () -> store.readPages(0, new int[] {0, -1}));
            assertEquals("page -1 is negative (pages are numbered from 0)", negative.getMessage());
            assertThrows(IndexOutOfBoundsException.class, () -> store.readPages(2, new int[] {0}));
        }
    }

    /** More rows than a Java array holds (2^31 floats) is a clear error, not a NegativeArraySizeException. */
    @Test
    void aReadOverTheArrayLimitIsAClearError() {
        KvLayout wide = new KvLayout(1, 1, 1 << 20, 1, KvDtype.F16); // a 1-token page = 2^20 floats per k and v
        try (KvStore store = open(wide)) {
            store.writeBlock(0, 0, new BlockKv(1, new float[][] {new float[1 << 20]}, new float[][] {new float[1 << 20]}));
            int[] pages = new int[2048]; // page 0, 2048 times: 2^31 floats
            KvStoreException e = assertThrows(KvStoreException.class, () -> store.readPages(0, pages));
            assertEquals("reading 2048 pages (2048 tokens) of layer 0 of " + store.root() + " needs 2147483648 floats"
                    + " for k, over the 2147483639 a Java array holds; read fewer pages at once", e.getMessage());
        }
    }
}
