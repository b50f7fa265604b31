package io.starspark.kv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The K/V store logic over {@link Blobs}. Files under the document root:
 * {@code blocks/block-000017.kv} (see {@link BlockFile}), {@code _tmp/} (in-flight writes, never read),
 * {@code manifest.json} (written last). Block metas are read once and kept; decoded pages go through an
 * LRU {@link PageCache}.
 */
public class BlobKvStore implements KvStore {
    /** Default page cache budget: 64 MiB. */
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;
    /** Longest array the JVM allocates (a few words below {@code Integer.MAX_VALUE}). */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final Logger LOG = LoggerFactory.getLogger(BlobKvStore.class);
    private static final String BLOCKS = "blocks";
    private static final String TMP = "_tmp";
    private static final String MANIFEST = "manifest.json";
    private static final Pattern BLOCK_FILE = Pattern.compile("block-(\\d{6,})\\.kv");

    private final String root;
    private final Blobs blobs;
    private final KvLayout layout;
    private final PageCache cache;
    private final Map<Integer, BlockFile.Meta> byIndex = new TreeMap<>();
    private final TreeMap<Integer, BlockFile.Meta> byFirstPage = new TreeMap<>();
    private final LongAdder bytesRead = new LongAdder();

    BlobKvStore(String root, Blobs blobs, KvLayout layout, long cacheBytes) {
        this.root = root;
        this.blobs = blobs;
        this.layout = layout;
        this.cache = new PageCache(cacheBytes);
    }

    Blobs blobs() {
        return blobs;
    }

    static String blockName(int blockIndex) {
        return String.format("%s/block-%06d.kv", BLOCKS, blockIndex);
    }

    @Override
    public String root() {
        return root;
    }

    @Override
    public KvLayout layout() {
        return layout;
    }

    @Override
    public long bytesRead() {
        return bytesRead.sum();
    }

    /** Every read of storage goes through here, so {@link #bytesRead()} counts it. */
    private byte[] read(String name, long offset, int length) {
        byte[] bytes = blobs.read(name, offset, length);
        bytesRead.add(bytes.length);
        return bytes;
    }

    public long cacheHits() {
        return cache.hits();
    }

    // ---- writing

    @Override
    public void writeBlock(int blockIndex, int firstToken, BlockKv kv) {
        if (blockIndex < 0 || firstToken < 0 || firstToken % layout.pageSize() != 0) {
            throw new IllegalArgumentException("block " + blockIndex + " must start at a token multiple of pageSize "
                    + layout.pageSize() + " (got firstToken " + firstToken + ")");
        }
        kv.requireFits(layout);
        PageSummaries[] summaries = new PageSummaries[layout.layers()];
        for (int l = 0; l < summaries.length; l++) {
            float[] stored = layout.dtype().rounded(kv.k()[l]); // [tokens][kvHeads][headDim] as readers see it
            summaries[l] = PageSummaries.of(stored, kv.tokens(), layout.kvHeads(), layout.headDim(), layout.pageSize());
        }
        byte[] bytes = BlockFile.encode(layout, blockIndex, firstToken, kv, summaries);
        String name = blockName(blockIndex);
        if (blobs.exists(name)) {
            requireSameBytes(name, bytes, blockIndex);
            return;
        }
        String tmp = TMP + "/" + name.substring(BLOCKS.length() + 1) + "." + UUID.randomUUID();
        if (writeAndRename(tmp, name, bytes)) {
            deleteStaleTemps(name.substring(BLOCKS.length() + 1) + ".");
            return;
        }
        blobs.delete(tmp);
        if (!blobs.exists(name)) {
            throw new KvStoreException("cannot rename " + blobs.where(tmp) + " to " + blobs.where(name));
        }
        requireSameBytes(name, bytes, blockIndex); // a concurrent attempt won the rename
    }

    /**
     * Writes {@code tmp} and renames it to {@code name}; false when it did not rename. A concurrent attempt
     * of the same block that commits first deletes the temporaries it finds (crashed attempts look the same
     * as running ones), which can make this attempt's write or rename fail: then, if the block is in place,
     * this attempt lost the race and the caller compares bytes instead of failing the task.
     */
    private boolean writeAndRename(String tmp, String name, byte[] bytes) {
        try {
            blobs.write(tmp, bytes);
            return blobs.rename(tmp, name);
        } catch (KvStoreException e) {
            if (!blobs.exists(name)) {
                throw e;
            }
            LOG.info("{} was committed by a concurrent attempt while this one wrote ({})", blobs.where(name),
                    e.getMessage());
            return false;
        }
    }

    private void requireSameBytes(String name, byte[] bytes, int blockIndex) {
        boolean same = blobs.length(name) == bytes.length && Arrays.equals(read(name, 0, bytes.length), bytes);
        if (!same) {
            throw new KvStoreException(blobs.where(name) + " already holds different K/V for block " + blockIndex
                    + " (another model or settings?); delete the document's K/V (--reprefill) or point --kv-dir elsewhere");
        }
    }

    /** Temporaries of crashed attempts of this block; a concurrent attempt that loses its temp still succeeds. */
    private void deleteStaleTemps(String prefix) {
        for (String stale : blobs.list(TMP)) {
            if (stale.startsWith(prefix)) {
                LOG.info("deleting stale temporary {}", blobs.where(TMP + "/" + stale));
                blobs.delete(TMP + "/" + stale);
            }
        }
    }

    @Override
    public synchronized void commit(Manifest manifest) {
        requireFitsLayout(manifest);
        List<Integer> missing = new ArrayList<>();
        refresh();
        for (io.starspark.sharding.Block b : manifest.plan().blocks()) {
            BlockFile.Meta m = byIndex.get(b.index());
            if (m == null) {
                missing.add(b.index());
            } else if (m.firstToken() != b.start() || m.tokens() != b.keptLength()) {
                throw new KvStoreException(blobs.where(blockName(b.index())) + " holds tokens [" + m.firstToken() + ", "
                        + (m.firstToken() + m.tokens()) + ") but the manifest's plan puts block " + b.index() + " at ["
                        + b.start() + ", " + b.end() + ")");
            }
        }
        if (!missing.isEmpty()) {
            throw new KvStoreException("cannot commit " + root + ": blocks " + missing + " of "
                    + manifest.plan().blockCount() + " are missing");
        }
        writeManifest(manifest);
    }

    private void requireFitsLayout(Manifest manifest) {
        if (manifest.pageSize() != layout.pageSize() || manifest.dtype() != layout.dtype()
                || !manifest.modelConfig().equals(layout.modelFingerprint())) {
            throw new IllegalArgumentException("manifest (pageSize " + manifest.pageSize() + ", " + manifest.dtype()
                    + ", " + manifest.modelConfig() + ") does not match store layout " + layout);
        }
    }

    private void writeManifest(Manifest manifest) {
        byte[] json = manifest.toJson();
        String tmp = TMP + "/" + MANIFEST + "." + UUID.randomUUID();
        blobs.write(tmp, json);
        if (blobs.rename(tmp, MANIFEST)) {
            return;
        }
        blobs.delete(tmp);
        Optional<Manifest> existing = readManifest();
        if (existing.isEmpty() || !existing.get().equals(manifest)) {
            throw new KvStoreException("cannot commit " + blobs.where(MANIFEST) + ": a different manifest is already"
                    + " there; delete the document's K/V (--reprefill) or point --kv-dir elsewhere");
        }
    }

    @Override
    public Optional<Manifest> readManifest() {
        if (!blobs.exists(MANIFEST)) {
            return Optional.empty();
        }
        byte[] json = read(MANIFEST, 0, (int) blobs.length(MANIFEST));
        return Optional.of(Manifest.fromJson(json, blobs.where(MANIFEST)));
    }

    @Override
    public synchronized void delete() {
        blobs.deleteAll();
        byIndex.clear();
        byFirstPage.clear();
        cache.clear();
    }

    @Override
    public void close() {
        blobs.close();
    }

    // ---- reading

    @Override
    public List<Integer> committedBlocks() {
        List<Integer> blocks = new ArrayList<>();
        for (String name : blobs.list(BLOCKS)) {
            Matcher m = BLOCK_FILE.matcher(name);
            if (m.matches()) {
                blocks.add(Integer.parseInt(m.group(1)));
            }
        }
        blocks.sort(null);
        return blocks;
    }

    /** Loads the metas of blocks committed since the last look. */
    private synchronized void refresh() {
        for (int index : committedBlocks()) {
            if (!byIndex.containsKey(index)) {
                BlockFile.Meta m = loadMeta(index);
                byIndex.put(index, m);
                byFirstPage.put(m.firstPage(), m);
            }
        }
    }

    private BlockFile.Meta loadMeta(int index) {
        String name = blockName(index);
        String where = blobs.where(name);
        long length = blobs.length(name);
        if (length < BlockFile.HEADER_BYTES) {
            throw new KvStoreException(where + " is truncated (" + length + " bytes, no block header)");
        }
        long metaBytes = BlockFile.metaBytes(read(name, 0, BlockFile.HEADER_BYTES), where);
        if (metaBytes > length) {
            throw new KvStoreException(where + " is truncated (" + length + " bytes, meta needs " + metaBytes + ")");
        }
        BlockFile.Meta m = BlockFile.decodeMeta(read(name, 0, (int) metaBytes), where);
        if (!m.layout().equals(layout)) {
            throw new KvStoreException(where + " holds K/V of " + m.layout() + " but this store expects " + layout);
        }
        if (m.blockIndex() != index || m.firstToken() % layout.pageSize() != 0 || m.fileBytes() != length) {
            throw new KvStoreException(where + " is corrupt: header says block " + m.blockIndex() + " at token "
                    + m.firstToken() + " in " + m.fileBytes() + " bytes, file has " + length + " bytes");
        }
        return m;
    }

    /** The block holding global page {@code page}; looks for new blocks once before failing. */
    private synchronized BlockFile.Meta locate(int page) {
        if (page < 0) {
            throw new IllegalArgumentException("page " + page + " is negative (pages are numbered from 0)");
        }
        BlockFile.Meta m = holder(page);
        if (m == null) {
            refresh();
            m = holder(page);
        }
        if (m == null) {
            throw new KvStoreException("page " + page + " of " + root + " is not stored: no committed block holds it ("
                    + storedPages() + ")");
        }
        return m;
    }

    /** The stored page ranges for messages: {@code stored pages: 0..5, 8..9} or {@code no block is committed}. */
    private String storedPages() {
        List<String> ranges = new ArrayList<>();
        int first = -1;
        int next = -1;
        for (BlockFile.Meta m : byFirstPage.values()) {
            if (m.firstPage() != next) {
                if (first >= 0) {
                    ranges.add(first + ".." + (next - 1));
                }
                first = m.firstPage();
            }
            next = m.firstPage() + m.pages();
        }
        if (first < 0) {
            return "no block is committed";
        }
        ranges.add(first + ".." + (next - 1));
        return "stored pages: " + String.join(", ", ranges);
    }

    private BlockFile.Meta holder(int page) {
        Map.Entry<Integer, BlockFile.Meta> e = byFirstPage.floorEntry(page);
        return e != null && page < e.getKey() + e.getValue().pages() ? e.getValue() : null;
    }

    @Override
    public PageKv readPages(int layer, int[] pages) {
        if (layer < 0 || layer >= layout.layers()) {
            throw new IndexOutOfBoundsException("layer " + layer + " outside 0.." + (layout.layers() - 1));
        }
        BlockFile.Meta[] holders = new BlockFile.Meta[pages.length];
        int[] pageTokens = new int[pages.length];
        int[] pageStart = new int[pages.length];
        long tokens = 0;
        for (int i = 0; i < pages.length; i++) {
            holders[i] = locate(pages[i]);
            pageTokens[i] = holders[i].pageTokens(pages[i] - holders[i].firstPage());
            pageStart[i] = pages[i] * layout.pageSize();
            tokens += pageTokens[i];
        }
        int row = layout.rowFloats();
        long floats = tokens * row;
        if (floats > MAX_ARRAY) {
            throw new KvStoreException("reading " + pages.length + " pages (" + tokens + " tokens) of layer " + layer
                    + " of " + root + " needs " + floats + " floats for k, over the " + MAX_ARRAY
                    + " a Java array holds; read fewer pages at once");
        }
        float[] k = new float[(int) floats]; // [tokens][kvHeads][headDim]
        float[] v = new float[(int) floats];
        int at = 0;
        for (int i = 0; i < pages.length; i++) {
            PageCache.Entry page = page(holders[i], layer, pages[i] - holders[i].firstPage());
            System.arraycopy(page.k(), 0, k, at * row, page.k().length);
            System.arraycopy(page.v(), 0, v, at * row, page.v().length);
            at += pageTokens[i];
        }
        return new PageKv(layout.kvHeads(), layout.headDim(), pages.clone(), pageTokens, pageStart, k, v);
    }

    private PageCache.Entry page(BlockFile.Meta m, int layer, int localPage) {
        PageCache.Key key = new PageCache.Key(m.blockIndex(), layer, localPage);
        PageCache.Entry cached = cache.get(key);
        if (cached != null) {
            return cached;
        }
        String name = blockName(m.blockIndex());
        byte[] slot = read(name, m.slotOffset(layer, localPage), BlockFile.slotBytes(layout));
        int rows = m.pageTokens(localPage);
        float[] k = new float[rows * layout.rowFloats()]; // [rows][kvHeads][headDim]
        float[] v = new float[rows * layout.rowFloats()];
        BlockFile.decodeSlot(slot, m.slotCrc()[layer * m.pages() + localPage], layout, rows, k, v, 0,
                blobs.where(name) + " (layer " + layer + ", page " + (m.firstPage() + localPage) + ")");
        PageCache.Entry entry = new PageCache.Entry(k, v);
        cache.put(key, entry);
        return entry;
    }

    @Override
    public PageKv readAll(int layer) {
        List<BlockFile.Meta> blocks = contiguousBlocks();
        BlockFile.Meta last = blocks.get(blocks.size() - 1);
        int[] pages = new int[last.firstPage() + last.pages()];
        Arrays.setAll(pages, p -> p);
        return readPages(layer, pages);
    }

    @Override
    public PageSummaries[] readSummaries() {
        List<BlockFile.Meta> blocks = contiguousBlocks();
        PageSummaries[] out = new PageSummaries[layout.layers()];
        for (int l = 0; l < out.length; l++) {
            List<PageSummaries> parts = new ArrayList<>();
            for (BlockFile.Meta m : blocks) {
                parts.add(m.summaries()[l]);
            }
            out[l] = PageSummaries.concat(parts);
        }
        return out;
    }

    /** All stored blocks in token order, checked to tile the context from token 0 (to the manifest's end if any). */
    private synchronized List<BlockFile.Meta> contiguousBlocks() {
        refresh();
        List<BlockFile.Meta> blocks = new ArrayList<>(byFirstPage.values());
        int next = 0;
        for (BlockFile.Meta m : blocks) {
            if (m.firstToken() != next) {
                throw new KvStoreException(root + " has no block holding tokens from " + next
                        + " (next stored block " + m.blockIndex() + " starts at " + m.firstToken() + ")");
            }
            next += m.tokens();
        }
        Optional<Manifest> manifest = readManifest();
        if (blocks.isEmpty() || manifest.isPresent() && manifest.get().contextLength() != next) {
            throw new KvStoreException(root + " holds " + next + " context tokens"
                    + manifest.map(mf -> " but its manifest says " + mf.contextLength()).orElse(""));
        }
        return blocks;
    }
}
