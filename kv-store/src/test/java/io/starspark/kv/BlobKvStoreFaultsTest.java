package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The paths of {@link BlobKvStore} that only a failing or racing file system takes: another attempt of the
 * same block renaming first, a rename that fails outright, a temporary deleted under a running write, and
 * a manifest that is already there. {@link FaultyBlobs} injects each one exactly where it happens.
 */
class BlobKvStoreFaultsTest {
    private static final KvLayout LAYOUT = new KvLayout(2, 2, 4, 4, KvDtype.F32);
    private static final StarPlan PLAN = StarPlan.of(21, 8, 3, 4);
    private static final long SEED = Long.getLong("starspark.test.seed", 1512L);
    private static final String ROOT = "memory://faults/doc";
    private static final String BINDING = TestDocs.manifest(LAYOUT, PLAN).binding();

    static {
        System.out.println("BlobKvStoreFaultsTest: seed " + SEED);
    }

    private final TestDocs docs = new TestDocs(LAYOUT, PLAN, SEED);
    private final FaultyBlobs blobs = new FaultyBlobs(new MemoryBlobs(ROOT));
    private final BlobKvStore store = new BlobKvStore(ROOT, blobs, LAYOUT, BINDING, BlobKvStore.DEFAULT_CACHE_BYTES);

    /** What another attempt of block {@code index} would have put in place (same bytes). */
    private byte[] encoded(int index) {
        try (InMemoryKvStore scratch = new InMemoryKvStore(LAYOUT, BINDING, 0)) {
            Block b = PLAN.block(index);
            scratch.writeBlock(b.index(), b.start(), docs.block(b));
            String name = BlobKvStore.blockName(index);
            return scratch.blobs().read(name, 0, (int) scratch.blobs().length(name));
        }
    }

    /** Block {@code index} as another model would have written it: one bit differs. */
    private byte[] otherBytes(int index) {
        byte[] other = encoded(index);
        other[other.length - 1] ^= 1;
        return other;
    }

    private void assertBlockReadsBack(int index) {
        Block b = PLAN.block(index);
        int firstPage = b.start() / LAYOUT.pageSize();
        assertArrayEquals(docs.rows(docs.k[1], b.start(), b.start() + 4), store.readPages(1, new int[] {firstPage}).k());
    }

    @Test
    void anotherAttemptRenamingFirstWithTheSameBytesIsASuccess() {
        Block b = PLAN.block(1);
        blobs.beforeRename = () -> blobs.inner.write(BlobKvStore.blockName(1), encoded(1));
        store.writeBlock(1, b.start(), docs.block(b));
        assertEquals(List.of(), blobs.list("_tmp"), "this attempt's temporary is deleted");
        assertEquals(List.of(1), store.committedBlocks());
        assertBlockReadsBack(1);
    }

    @Test
    void anotherAttemptRenamingFirstWithOtherBytesIsRefused() {
        Block b = PLAN.block(1);
        byte[] other = otherBytes(1);
        blobs.beforeRename = () -> blobs.inner.write(BlobKvStore.blockName(1), other);
        KvStoreException e = assertThrows(KvStoreException.class, () -> store.writeBlock(1, b.start(), docs.block(b)));
        assertEquals(ROOT + "/blocks/block-000001.kv already holds different K/V for block 1 (another model or"
                + " settings?); delete the document's K/V (--reprefill) or point --kv-dir elsewhere", e.getMessage());
        assertEquals(List.of(), blobs.list("_tmp"));
    }

    @Test
    void aRenameThatFailsWithNothingInPlaceIsAnError() {
        Block b = PLAN.block(0);
        blobs.renameFails = true;
        KvStoreException e = assertThrows(KvStoreException.class, () -> store.writeBlock(0, 0, docs.block(b)));
        assertTrue(e.getMessage().matches("cannot rename \\Q" + ROOT + "/_tmp/block-000000.kv.\\E[-0-9a-f]{36} to \\Q"
                + ROOT + "/blocks/block-000000.kv\\E"), e.getMessage());
        assertEquals(List.of(), blobs.list("_tmp"), "the temporary is deleted");
        assertEquals(List.of(), store.committedBlocks());
    }

    @Test
    void aTemporaryDeletedUnderAWriteIsFineWhenTheBlockIsInPlace() {
        Block b = PLAN.block(2);
        blobs.beforeWrite = () -> {
            blobs.inner.write(BlobKvStore.blockName(2), encoded(2));
            throw new KvStoreException("temporary deleted by a concurrent attempt");
        };
        store.writeBlock(2, b.start(), docs.block(b));
        assertEquals(List.of(2), store.committedBlocks());
        assertBlockReadsBack(2);
    }

    @Test
    void aTemporaryDeletedUnderAWriteWithOtherBytesInPlaceIsRefused() {
        Block b = PLAN.block(2);
        byte[] other = otherBytes(2);
        blobs.beforeWrite = () -> {
            blobs.inner.write(BlobKvStore.blockName(2), other);
            throw new KvStoreException("temporary deleted by a concurrent attempt");
        };
        KvStoreException e = assertThrows(KvStoreException.class, () -> store.writeBlock(2, b.start(), docs.block(b)));
        assertTrue(e.getMessage().contains("block-000002.kv already holds different K/V for block 2"), e.getMessage());
    }

    @Test
    void closingTheStoreClosesItsBlobs() {
        store.close();
        assertTrue(blobs.closed);
    }

    @Test
    void pagesThatAreNotStoredAreNamedWithTheStoredRanges() {
        KvStoreException none = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {0}));
        assertEquals("page 0 of " + ROOT + " is not stored: no committed block holds it (no block is committed)",
                none.getMessage());
        for (int index : new int[] {0, 2}) {
            Block b = PLAN.block(index);
            store.writeBlock(index, b.start(), docs.block(b));
        }
        KvStoreException gap = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {2}));
        assertEquals("page 2 of " + ROOT + " is not stored: no committed block holds it (stored pages: 0..1, 4..5)",
                gap.getMessage());
        Block b1 = PLAN.block(1);
        store.writeBlock(1, b1.start(), docs.block(b1));
        KvStoreException after = assertThrows(KvStoreException.class, () -> store.readPages(0, new int[] {6}));
        assertEquals("page 6 of " + ROOT + " is not stored: no committed block holds it (stored pages: 0..5)",
                after.getMessage());
    }

    @Test
    void layersOutsideTheLayoutAreNamed() {
        docs.writeAll(store);
        for (int layer : new int[] {-1, 2}) {
            assertEquals("layer " + layer + " outside 0..1",
                    assertThrows(IndexOutOfBoundsException.class, () -> store.readPages(layer, new int[] {0})).getMessage());
        }
    }

    /** A block file cut at its header's end or its meta's end is reported as what it lacks. */
    @Test
    void blockFilesCutAtTheirPartsAreReportedPrecisely() {
        byte[] full = encoded(0);
        String name = BlobKvStore.blockName(0);
        long meta = BlockFile.Meta.metaBytes(LAYOUT, 2);
        blobs.inner.write(name, java.util.Arrays.copyOf(full, BlockFile.HEADER_BYTES - 1));
        assertEquals(ROOT + "/" + name + " is truncated (" + (BlockFile.HEADER_BYTES - 1) + " bytes, no block header)",
                assertThrows(KvStoreException.class, () -> fresh().readPages(0, new int[] {0})).getMessage());
        blobs.inner.write(name, java.util.Arrays.copyOf(full, BlockFile.HEADER_BYTES));
        assertEquals(ROOT + "/" + name + " is truncated (" + BlockFile.HEADER_BYTES + " bytes, meta needs " + meta + ")",
                assertThrows(KvStoreException.class, () -> fresh().readPages(0, new int[] {0})).getMessage());
        blobs.inner.write(name, java.util.Arrays.copyOf(full, (int) meta));
        String corrupt = assertThrows(KvStoreException.class, () -> fresh().readPages(0, new int[] {0})).getMessage();
        assertTrue(corrupt.startsWith(ROOT + "/" + name + " is corrupt: header says block 0 at token 0 in "), corrupt);
        assertTrue(corrupt.endsWith("file has " + meta + " bytes"), corrupt);
    }

    private BlobKvStore fresh() {
        return new BlobKvStore(ROOT, blobs, LAYOUT, BINDING, 0);
    }

    @Test
    void aFailedWriteWithNothingInPlaceIsRethrown() {
        Block b = PLAN.block(2);
        KvStoreException failure = new KvStoreException("disk full");
        blobs.beforeWrite = () -> {
            throw failure;
        };
        assertSame(failure, assertThrows(KvStoreException.class, () -> store.writeBlock(2, b.start(), docs.block(b))));
        assertEquals(List.of(), store.committedBlocks());
    }

    @Test
    void aBlockThatDoesNotFitTheLayoutIsRefusedBeforeAnythingIsWritten() {
        Block b = PLAN.block(0);
        BlockKv good = docs.block(b);
        float[][] longer = {good.k()[0], java.util.Arrays.copyOf(good.k()[1], good.k()[1].length + 1)};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.writeBlock(0, 0, new BlockKv(good.tokens(), longer, good.v())));
        assertEquals("layer 1 k/v hold 65/64 floats, expected tokens*kvHeads*headDim = 64", e.getMessage());
        IllegalArgumentException layers = assertThrows(IllegalArgumentException.class,
                () -> store.writeBlock(0, 0, new BlockKv(good.tokens(), new float[][] {good.k()[0]},
                        new float[][] {good.v()[0]})));
        assertEquals("block has 1 layers, layout 2", layers.getMessage());
        assertEquals(List.of(), blobs.inner.list("blocks"));
        assertEquals(List.of(), blobs.inner.list("_tmp"));
    }

    @Test
    void aManifestOfAnotherLayoutIsRefusedOnCommit() {
        docs.writeAll(store);
        Manifest m = docs.manifest();
        String fp = LAYOUT.modelFingerprint();
        for (Manifest other : List.of(
                new Manifest(1, m.docId(), m.modelId(), fp, 21, 8, 3, 8, KvDtype.F32, m.contextTokensHash(), "t"),
                new Manifest(1, m.docId(), m.modelId(), fp, 21, 8, 3, 4, KvDtype.F16, m.contextTokensHash(), "t"),
                new Manifest(1, m.docId(), m.modelId(), "layers=2,kvHeads=1,headDim=8", 21, 8, 3, 4, KvDtype.F32,
                        m.contextTokensHash(), "t"))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> store.commit(other));
            assertEquals("manifest (pageSize " + other.pageSize() + ", " + other.dtype() + ", " + other.modelConfig()
                    + ") does not match store layout " + LAYOUT, e.getMessage());
        }
        assertEquals(Optional.empty(), store.readManifest());
        store.commit(m);
        assertEquals(Optional.of(m), store.readManifest());
    }

    @Test
    void aManifestRenameThatLosesToTheSameManifestIsASuccess() {
        docs.writeAll(store);
        Manifest m = docs.manifest();
        blobs.beforeRename = () -> blobs.inner.write("manifest.json", m.toJson());
        store.commit(m);
        assertEquals(Optional.of(m), store.readManifest());
        assertEquals(List.of(), blobs.list("_tmp"));
    }

    @Test
    void aManifestRenameThatLosesToAnotherManifestOrFailsIsAnError() {
        docs.writeAll(store);
        Manifest m = docs.manifest();
        Manifest other = new Manifest(1, "doc-2", m.modelId(), m.modelConfig(), 21, 8, 3, 4, KvDtype.F32,
                m.contextTokensHash(), "t");
        String message = "cannot commit " + ROOT + "/manifest.json: a different manifest is already there; delete the"
                + " document's K/V (--reprefill) or point --kv-dir elsewhere";
        blobs.beforeRename = () -> blobs.inner.write("manifest.json", other.toJson());
        assertEquals(message, assertThrows(KvStoreException.class, () -> store.commit(m)).getMessage());
        assertEquals(List.of(), blobs.list("_tmp"));
        blobs.inner.delete("manifest.json");
        blobs.beforeRename = () -> { };
        blobs.renameFails = true;
        assertEquals(message, assertThrows(KvStoreException.class, () -> store.commit(m)).getMessage());
        assertEquals(Optional.empty(), store.readManifest());
    }

    /** {@link MemoryBlobs} with hooks that run just before a write or a rename, and a rename that can fail. */
    static final class FaultyBlobs implements Blobs {
        final MemoryBlobs inner;
        Runnable beforeWrite = () -> { };
        Runnable beforeRename = () -> { };
        boolean renameFails;
        boolean closed;

        FaultyBlobs(MemoryBlobs inner) {
            this.inner = inner;
        }

        @Override
        public String where(String name) {
            return inner.where(name);
        }

        @Override
        public boolean exists(String name) {
            return inner.exists(name);
        }

        @Override
        public long length(String name) {
            return inner.length(name);
        }

        @Override
        public byte[] read(String name, long offset, int length) {
            return inner.read(name, offset, length);
        }

        @Override
        public void write(String name, byte[] bytes) {
            if (name.startsWith("_tmp/")) {
                Runnable hook = beforeWrite;
                beforeWrite = () -> { };
                hook.run();
            }
            inner.write(name, bytes);
        }

        @Override
        public boolean rename(String from, String to) {
            Runnable hook = beforeRename;
            beforeRename = () -> { };
            hook.run();
            return !renameFails && inner.rename(from, to);
        }

        @Override
        public List<String> list(String dir) {
            return inner.list(dir);
        }

        @Override
        public void delete(String name) {
            inner.delete(name);
        }

        @Override
        public void deleteAll() {
            inner.deleteAll();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
