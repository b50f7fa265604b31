package io.starspark.model;

import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufValue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * SentencePiece-BPE tokenizer from GGUF metadata ({@code tokenizer.ggml.model = llama}), encoding like
 * llama.cpp's SPM tokenizer: spaces become U+2581, optional leading space, the text splits into
 * characters, then the adjacent pair whose concatenation is a token with the highest score merges
 * (leftmost first on ties) until none is left; characters that are no token become byte tokens
 * {@code <0xNN>}. Immutable and thread-safe.
 */
public final class Tokenizer {
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_BYTE = 6;
    private static final char SPACE = '\u2581';

    private final String[] pieces;
    private final float[] scores;
    private final int[] types;
    private final Map<String, Integer> ids;
    private final int[] byteTokens = new int[256];
    private final int bos;
    private final int eos;

    /** pieces, scores, types: [vocab]; every byte 0x00..0xFF needs its {@code <0xNN>} piece. */
    public Tokenizer(String[] pieces, float[] scores, int[] types, int bos, int eos) {
        if (pieces.length != scores.length || pieces.length != types.length) {
            throw new IllegalArgumentException("pieces, scores and types must have equal lengths (got "
                + pieces.length + ", " + scores.length + ", " + types.length + ")");
        }
        this.pieces = pieces.clone();
        this.scores = scores.clone();
        this.types = types.clone();
        this.bos = bos;
        this.eos = eos;
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
        for (int b = 0; b < 256; b++) {
            Integer id = ids.get(String.format("<0x%02X>", b));
            if (id == null) {
                throw new IllegalArgumentException("vocabulary lacks byte token <0x" + String.format("%02X", b) + ">");
            }
            byteTokens[b] = id;
        }
    }

    /** Reads the tokenizer from {@code tokenizer.ggml.*} metadata. */
    public static Tokenizer from(GgufFile f) {
        String model = f.getString("tokenizer.ggml.model");
        if (!model.equals("llama")) {
            throw new ModelFormatException(f.path(), "unsupported tokenizer model '" + model + "' (supported: llama)");
        }
        List<?> tokens = f.getArray("tokenizer.ggml.tokens").elements();
        String[] pieces = tokens.stream().map(String.class::cast).toArray(String[]::new);
        float[] scores = new float[pieces.length];
        if (f.has("tokenizer.ggml.scores")) {
            List<?> s = f.getArray("tokenizer.ggml.scores").elements();
            for (int i = 0; i < pieces.length && i < s.size(); i++) {
                scores[i] = ((Number) s.get(i)).floatValue();
            }
        }
        int[] types = new int[pieces.length];
        Arrays.fill(types, TYPE_NORMAL);
        if (f.has("tokenizer.ggml.token_type")) {
            List<?> t = f.getArray("tokenizer.ggml.token_type").elements();
            for (int i = 0; i < pieces.length && i < t.size(); i++) {
                types[i] = ((Number) t.get(i)).intValue();
            }
        }
        try {
            return new Tokenizer(pieces, scores, types, f.getInt("tokenizer.ggml.bos_token_id", 1),
                f.getInt("tokenizer.ggml.eos_token_id", 2));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(f.path(), "invalid tokenizer: " + e.getMessage(), e);
        }
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    public int vocabSize() {
        return pieces.length;
    }

    /** The raw piece of token {@code id} (with U+2581 for spaces, {@code <0xNN>} for bytes). */
    public String piece(int id) {
        return pieces[id];
    }

    public int type(int id) {
        return types[id];
    }

    /** Token ids of {@code text}; {@code bos} prepends BOS, {@code addLeadingSpace} prepends one space. */
    public int[] encode(String text, boolean bos, boolean addLeadingSpace) {
        String s = (addLeadingSpace ? " " + text : text).replace(' ', SPACE);
        IntList out = new IntList(s.length() + 1);
        if (bos) {
            out.add(this.bos);
        }
        if (!s.isEmpty()) {
            new Merger(s).run(out);
        }
        return out.toArray();
    }

    /** Concatenated pieces, U+2581 → space, byte tokens reassembled as UTF-8, control tokens omitted. */
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokens) {
            if (types[id] == TYPE_CONTROL) {
                continue;
            }
            if (types[id] == TYPE_BYTE) {
                bytes.write(Integer.parseInt(pieces[id].substring(3, 5), 16));
            } else {
                bytes.writeBytes(pieces[id].replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** One encode run: characters as a linked list of symbols, a queue of mergeable adjacent pairs. */
    private final class Merger {
        private final String text;
        private final int[] start; // [symbols] char offset into text
        private final int[] len;   // [symbols] chars; 0 once merged into the left neighbour
        private final int[] prev;
        private final int[] next;
        private final PriorityQueue<long[]> queue; // {left, right, size, scoreBits}

        Merger(String text) {
            this.text = text;
            int n = text.codePointCount(0, text.length());
            start = new int[n];
            len = new int[n];
            prev = new int[n];
            next = new int[n];
            for (int i = 0, off = 0; i < n; i++) {
                int cp = text.codePointAt(off);
                start[i] = off;
                len[i] = Character.charCount(cp);
                prev[i] = i - 1;
                next[i] = i + 1 < n ? i + 1 : -1;
                off += len[i];
            }
            queue = new PriorityQueue<>(Math.max(1, n), (a, b) -> {
                int c = Float.compare(Float.intBitsToFloat((int) b[3]), Float.intBitsToFloat((int) a[3]));
                return c != 0 ? c : Long.compare(a[0], b[0]);
            });
        }

        void run(IntList out) {
            for (int i = 1; i < start.length; i++) {
                tryAdd(i - 1, i);
            }
            while (!queue.isEmpty()) {
                long[] bigram = queue.poll();
                int l = (int) bigram[0];
                int r = (int) bigram[1];
                if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != bigram[2]) {
                    continue; // stale: one side already merged elsewhere
                }
                len[l] += len[r];
                len[r] = 0;
                next[l] = next[r];
                if (next[r] >= 0) {
                    prev[next[r]] = l;
                }
                tryAdd(prev[l], l);
                tryAdd(l, next[l]);
            }
            for (int i = 0; i >= 0; i = next[i]) {
                emit(text.substring(start[i], start[i] + len[i]), out);
            }
        }

        private void tryAdd(int l, int r) {
            if (l < 0 || r < 0) {
                return;
            }
            Integer id = ids.get(text.substring(start[l], start[r] + len[r]));
            if (id != null) {
                queue.add(new long[]{l, r, len[l] + len[r], Float.floatToIntBits(scores[id])});
            }
        }

        private void emit(String symbol, IntList out) {
            Integer id = ids.get(symbol);
            if (id != null) {
                out.add(id);
                return;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                out.add(byteTokens[b & 0xff]);
            }
        }
    }

    /** Growable int array. */
    private static final class IntList {
        private int[] a;
        private int n;

        IntList(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, 2 * n);
            }
            a[n++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
