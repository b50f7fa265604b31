package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.zip.CRC32;

/**
 * Byte layout of one block file (little endian). The meta part is read once per block; a page of one
 * layer (all KV heads) is one positioned read of a fixed-size slot, verified by its own CRC32.
 *
 * <pre>
 * header  int[11]  magic 'SSKV', version, layers, kvHeads, headDim, pageSize, dtype, blockIndex, firstToken, tokens, pages
 * binding u8[32]   what the block belongs to: {@link Manifest#binding()} (document tokens, model, settings)
 * crcs    int[layers][pages]                    CRC32 of each data slot
 * min     f32[layers][pages][kvHeads][headDim]  key summaries of the stored keys
 * max     f32[layers][pages][kvHeads][headDim]
 * metaCrc int                                   CRC32 of everything above
 * data    slot[layers][pages], slot = k[kvHeads][pageSize][headDim] ++ v[kvHeads][pageSize][headDim] in dtype;
 *         rows past the block's last token are zero (only the document's last page is short)
 * </pre>
 * Within a slot the keys (and values) of one KV head are contiguous.
 */
final class BlockFile {
    static final int MAGIC = 0x564b5353; // "SSKV" little endian
    static final int VERSION = 2;
    static final int BINDING_BYTES = 32;
    static final int HEADER_BYTES = 11 * 4 + BINDING_BYTES;

    private BlockFile() {
    }

    /** Parsed meta part of a block file. {@code summaries[layer]} covers the block's pages. */
    record Meta(KvLayout layout, String binding, int blockIndex, int firstToken, int tokens, int pages, int[] slotCrc,
            PageSummaries[] summaries) {

        int firstPage() {
            return firstToken / layout.pageSize();
        }

        int pageTokens(int localPage) {
            return Math.min(layout.pageSize(), tokens - localPage * layout.pageSize());
        }

        long metaBytes() {
            return metaBytes(layout, pages);
        }

        static long metaBytes(KvLayout layout, int pages) {
            long lp = (long) layout.layers() * pages;
            return HEADER_BYTES + 4 * lp + 8 * lp * layout.rowFloats() + 4;
        }

        long slotOffset(int layer, int localPage) {
            return metaBytes() + ((long) layer * pages + localPage) * slotBytes(layout);
        }

        long fileBytes() {
            return metaBytes() + (long) layout.layers() * pages * slotBytes(layout);
        }
    }

    /** Bytes of one slot; {@link KvLayout} guarantees it fits an array. */
    static int slotBytes(KvLayout layout) {
        return (int) layout.slotBytes();
    }

    /** Encodes a block bound to {@code binding}; {@code summaries[layer]} must be those of the stored (rounded) keys. */
    static byte[] encode(KvLayout layout, String binding, int blockIndex, int firstToken, BlockKv kv,
            PageSummaries[] summaries) {
        int pages = (kv.tokens() + layout.pageSize() - 1) / layout.pageSize();
        int[] crcs = new int[layout.layers() * pages];
        Meta meta = new Meta(layout, binding, blockIndex, firstToken, kv.tokens(), pages, crcs, summaries);
        layout.requireBlockFits(kv.tokens());
        ByteBuffer out = ByteBuffer.allocate((int) meta.fileBytes()).order(ByteOrder.LITTLE_ENDIAN);
        for (int l = 0; l < layout.layers(); l++) {
            for (int p = 0; p < pages; p++) {
                int at = (int) meta.slotOffset(l, p);
                out.position(at);
                putSlot(out, layout, kv.k()[l], kv.v()[l], p * layout.pageSize(), meta.pageTokens(p));
                crcs[l * pages + p] = crc(out.array(), at, slotBytes(layout));
            }
        }
        out.position(0);
        putMeta(out, meta);
        out.putInt(crc(out.array(), 0, out.position()));
        return out.array();
    }

    private static void putMeta(ByteBuffer out, Meta m) {
        new Header(m.layout, m.binding, m.blockIndex, m.firstToken, m.tokens, m.pages).write(out);
        for (int c : m.slotCrc) {
            out.putInt(c);
        }
        for (PageSummaries s : m.summaries) {
            out.asFloatBuffer().put(s.min());
            out.position(out.position() + 4 * s.min().length);
        }
        for (PageSummaries s : m.summaries) {
            out.asFloatBuffer().put(s.max());
            out.position(out.position() + 4 * s.max().length);
        }
    }

    /** Writes one slot: for k then v, per head, {@code pageSize} rows of {@code headDim} (zero past {@code rows}). */
    private static void putSlot(ByteBuffer out, KvLayout y, float[] k, float[] v, int firstRow, int rows) {
        for (float[] src : new float[][] {k, v}) {
            for (int h = 0; h < y.kvHeads(); h++) {
                for (int t = 0; t < y.pageSize(); t++) {
                    for (int d = 0; d < y.headDim(); d++) {
                        float x = t < rows ? src[((firstRow + t) * y.kvHeads() + h) * y.headDim() + d] : 0f;
                        putValue(out, y.dtype(), x);
                    }
                }
            }
        }
    }

    private static void putValue(ByteBuffer out, KvDtype dtype, float x) {
        if (dtype == KvDtype.F32) {
            out.putFloat(x);
        } else {
            out.putShort(io.starspark.kernels.Half.fromFloat(x));
        }
    }

    /**
     * The fixed header after magic and version: 11 little-endian ints
     * {@code magic, version, layers, kvHeads, headDim, pageSize, dtype, blockIndex, firstToken, tokens, pages},
     * then the 32 bytes of the binding (hex in {@code binding}). Sizes are checked to fit one block file.
     */
    record Header(KvLayout layout, String binding, int blockIndex, int firstToken, int tokens, int pages) {

        /** Reads and checks the header at the start of {@code bytes}; {@code where} names the file in errors. */
        static Header read(byte[] bytes, String where) {
            if (bytes.length < HEADER_BYTES) {
                throw new KvStoreException(where + " is truncated (" + bytes.length + " bytes, no block header)");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int magic = in.getInt();
            int version = in.getInt();
            if (magic != MAGIC) {
                throw new KvStoreException(where + " is not a starspark K/V block file (bad magic)");
            }
            if (version != VERSION) {
                throw new KvStoreException(where + " has block format version " + version + ", this build reads " + VERSION
                        + "; re-prefill with --reprefill");
            }
            int layers = in.getInt();
            int kvHeads = in.getInt();
            int headDim = in.getInt();
            int pageSize = in.getInt();
            int dtype = in.getInt();
            int blockIndex = in.getInt();
            int firstToken = in.getInt();
            int tokens = in.getInt();
            int pages = in.getInt();
            byte[] binding = new byte[BINDING_BYTES];
            in.get(binding);
            try {
                KvLayout layout = new KvLayout(layers, kvHeads, headDim, pageSize, KvDtype.ofCode(dtype));
                if (pages < 1 || tokens < 1 || firstToken < 0
                        || (tokens + (long) layout.pageSize() - 1) / layout.pageSize() != pages) {
                    throw new IllegalArgumentException("page count " + pages + " for " + tokens + " tokens from "
                            + firstToken);
                }
                layout.requireBlockFits(tokens);
                return new Header(layout, HexFormat.of().formatHex(binding), blockIndex, firstToken, tokens, pages);
            } catch (IllegalArgumentException | KvStoreException e) {
                throw new KvStoreException(where + " has a corrupt header: " + e.getMessage(), e);
            }
        }

        void write(ByteBuffer out) {
            for (int x : new int[] {MAGIC, VERSION, layout.layers(), layout.kvHeads(), layout.headDim(),
                layout.pageSize(), layout.dtype().code(), blockIndex, firstToken, tokens, pages}) {
                out.putInt(x);
            }
            out.put(HexFormat.of().parseHex(binding));
        }
    }

    /** Size of the meta part announced by a header ({@code header} holds at least {@link #HEADER_BYTES}). */
    static long metaBytes(byte[] header, String where) {
        Header h = Header.read(header, where);
        return Meta.metaBytes(h.layout(), h.pages());
    }

    /** Parses and verifies the meta part ({@code bytes} holds at least {@link Meta#metaBytes}). */
    static Meta decodeMeta(byte[] bytes, String where) {
        Header h = Header.read(bytes, where);
        KvLayout layout = h.layout();
        int pages = h.pages();
        long metaBytes = Meta.metaBytes(layout, pages);
        if (bytes.length < metaBytes) {
            throw new KvStoreException(where + " is truncated or corrupt (meta needs " + metaBytes + " bytes)");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int stored = in.getInt((int) metaBytes - 4);
        if (stored != crc(bytes, 0, (int) metaBytes - 4)) {
            throw new KvStoreException(where + " is corrupt: header checksum mismatch; delete the document's K/V and re-prefill");
        }
        in.position(HEADER_BYTES);
        int[] crcs = new int[layout.layers() * pages];
        for (int i = 0; i < crcs.length; i++) {
            crcs[i] = in.getInt();
        }
        int n = pages * layout.rowFloats();
        float[][] mins = new float[layout.layers()][n];
        float[][] maxs = new float[layout.layers()][n];
        for (float[][] dst : new float[][][] {mins, maxs}) {
            for (float[] layer : dst) {
                in.asFloatBuffer().get(layer);
                in.position(in.position() + 4 * n);
            }
        }
        PageSummaries[] summaries = new PageSummaries[layout.layers()];
        for (int l = 0; l < summaries.length; l++) {
            summaries[l] = new PageSummaries(pages, layout.kvHeads(), layout.headDim(), mins[l], maxs[l]);
        }
        return new Meta(layout, h.binding(), h.blockIndex(), h.firstToken(), h.tokens(), pages, crcs, summaries);
    }

    /**
     * Decodes one slot into {@code k, v: [rows][kvHeads][headDim]} at row {@code row0} of the destination,
     * after checking its CRC.
     */
    static void decodeSlot(byte[] slot, int expectedCrc, KvLayout y, int rows, float[] k, float[] v, int row0,
            String where) {
        if (crc(slot, 0, slot.length) != expectedCrc) {
            throw new KvStoreException(where + " is corrupt: page checksum mismatch; delete the document's K/V and re-prefill");
        }
        ByteBuffer in = ByteBuffer.wrap(slot).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] dst : new float[][] {k, v}) {
            for (int h = 0; h < y.kvHeads(); h++) {
                for (int t = 0; t < y.pageSize(); t++) {
                    for (int d = 0; d < y.headDim(); d++) {
                        float x = y.dtype() == KvDtype.F32 ? in.getFloat() : io.starspark.kernels.Half.toFloat(in.getShort());
                        if (t < rows) {
                            dst[((row0 + t) * y.kvHeads() + h) * y.headDim() + d] = x;
                        }
                    }
                }
            }
        }
    }

    static int crc(byte[] bytes, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return (int) crc.getValue();
    }
}
