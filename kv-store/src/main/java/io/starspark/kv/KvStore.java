package io.starspark.kv;

import java.util.List;
import java.util.Optional;

/**
 * The stored K/V of one document (one root URI such as {@code file:///tmp/kv/doc-123} or
 * {@code hdfs://nn:8020/kv/doc-123}).
 *
 * <p>Phase 1: each task calls {@link #writeBlock} for its blocks (atomic per block, retries harmless);
 * the driver then calls {@link #commit} once with the {@link Manifest}. Phase 2: the driver checks
 * {@link #readManifest()} with {@link Manifest#requireCompatible}, reads {@link #readSummaries()} and then
 * {@link #readPages} (selected pages) or {@link #readAll} (exact). Pages are global: page {@code p} holds
 * context tokens {@code [p*pageSize, (p+1)*pageSize)}. All failures are {@link KvStoreException}s whose
 * message names the path and the problem. Implementations are thread-safe.
 */
public interface KvStore extends AutoCloseable {

    /** The document root, as given. */
    String root();

    KvLayout layout();

    /**
     * Stores block {@code blockIndex} holding context tokens {@code [firstToken, firstToken + kv.tokens())};
     * {@code firstToken} must be a multiple of {@code pageSize}. Atomic: written under a temporary name and
     * renamed; if the block already exists with identical bytes (task retry, speculation) this succeeds, with
     * different bytes it fails. The page summaries, computed from the keys as stored (F16-rounded for F16), are
     * stored in the same file; readers take them from {@link #readSummaries()}.
     */
    void writeBlock(int blockIndex, int firstToken, BlockKv kv);

    /**
     * Keys and values of {@code pages} (global indices, any order; a repeated index repeats its rows) of
     * {@code layer}, all KV heads. A negative page is an {@link IllegalArgumentException}; a page no committed
     * block holds is a {@link KvStoreException} naming the stored page ranges.
     */
    PageKv readPages(int layer, int[] pages);

    /** All pages of {@code layer} in order (exact attention); blocks must be present from 0 without gaps. */
    PageKv readAll(int layer);

    /** Per layer, the summaries of all pages in page order; blocks must be present from 0 without gaps. */
    PageSummaries[] readSummaries();

    /**
     * Bytes this store has read from storage since it was opened: block headers and metas, K/V page
     * slots, the manifest. Pages served from the store's page cache add nothing, so this is the I/O a
     * reader caused, not the size of what it was handed.
     */
    long bytesRead();

    /** Indices of the blocks whose files are committed (renamed into place), ascending. */
    List<Integer> committedBlocks();

    /**
     * Writes the manifest atomically, last: first checks that every block of the manifest's plan is present
     * with the expected token range and layout. Re-committing an identical manifest succeeds.
     */
    void commit(Manifest manifest);

    /** The committed manifest, or empty if the document was never (completely) prefilled here. */
    Optional<Manifest> readManifest();

    /** Removes the document's K/V (blocks, manifest, temporaries). */
    void delete();

    @Override
    void close();
}
