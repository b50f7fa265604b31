package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2 byte-level BPE from GGUF metadata ({@code tokenizer.ggml.model = gpt2}), encoding like llama.cpp's BPE
 * tokenizer: added tokens are split out first (see {@link SpecialTokens}), the rest is cut into words by the
 * pre-tokenizer regex of {@code tokenizer.ggml.pre}, each word's UTF-8 bytes are mapped to GPT-2's printable
 * byte characters, and adjacent symbols merge lowest merge rank first (leftmost on ties) until no merge
 * applies. Words seen before come from a cache. No Unicode normalization (Qwen's tokenizer.json asks for NFC;
 * llama.cpp, the reference, does not apply it). Immutable and thread-safe.
 */
public final class BpeTokenizer extends GgufVocab implements Tokenizer {
    /**
     * Pre-tokenizers: llama.cpp's regexes (llama-vocab.cpp), with {@code (?i:'s|...)} spelled out per case as
     * llama.cpp adapted it; {@code \s} is Unicode White_Space (UNICODE_CHARACTER_CLASS) like llama.cpp's tables.
     * llama-bpe looks a whole word up before merging (Hugging Face's {@code ignore_merges}) and adds BOS by default.
     */
    enum Pre {
        LLAMA_BPE("\\p{N}{1,3}", true, true),
        QWEN2("\\p{N}", false, false);

        private static final String CONTRACTIONS = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

        final Pattern pattern;
        final boolean ignoreMerges;
        final boolean addBosByDefault;

        Pre(String digits, boolean ignoreMerges, boolean addBosByDefault) {
            this.pattern = Pattern.compile(CONTRACTIONS + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|" + digits
                + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+", Pattern.UNICODE_CHARACTER_CLASS);
            this.ignoreMerges = ignoreMerges;
            this.addBosByDefault = addBosByDefault;
        }

        static Pre of(GgufFile f, String name) {
            return switch (name) {
                case "llama-bpe", "llama3", "llama-v3" -> LLAMA_BPE;
                case "qwen2" -> QWEN2;
                default -> throw new ModelFormatException(f.path(), "unsupported tokenizer pre-tokenizer '" + name
                    + "' (supported: llama-bpe, qwen2)");
            };
        }
    }

    /**
     * Token texts llama.cpp treats as end of generation besides the EOS/EOT/EOM ids, and makes control tokens if the
     * file says otherwise (llama-vocab.cpp; the list of the llama.cpp in node-llama-cpp 3.22.1, checked by
     * BpeTokenizerGoldenTest: e.g. Qwen's normal token {@code </s>} and its FIM pad/repo/file-separator tokens).
     */
    private static final Set<String> END_OF_GENERATION_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>",
        "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>", "<|end_of_text|>", "<end_of_utterance>",
        "</s>", "<|fim_pad|>", "<|repo_name|>", "<|file_sep|>", "<|return|>", "<|call|>");
    private static final int CACHE_LIMIT = 1 << 16;
    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        // GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves, the rest to 256, 257, ...
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int next = 256;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) next++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private final Map<String, Integer> ids;
    private final Map<String, Integer> mergeRanks; // "left right" -> rank
    private final Pre pre;
    private final boolean addBos;
    private final BitSet endOfGeneration;
    private final SpecialTokens specials;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    /** pieces, types: [vocab]; merges: "left right" in rank order; bos -1 when the vocabulary has none. */
    BpeTokenizer(String[] pieces, int[] types, List<String> merges, Pre pre, int bos, int eos, int eot, int eom,
                 boolean addBos) {
        super(pieces, types, bos, eos);
        this.pre = pre; // GgufVocab checked BOS (-1 allowed) and EOS
        this.addBos = addBos;
        if (addBos) {
            checkId(bos, "bos");
        }
        this.ids = new HashMap<>(pieces.length * 2);
        for (int i = 0; i < pieces.length; i++) {
            ids.putIfAbsent(pieces[i], i);
        }
        for (char c : BYTE_TO_CHAR) {
            if (!ids.containsKey(String.valueOf(c))) {
                throw new IllegalArgumentException("vocabulary lacks the byte-level token '" + c + "'");
            }
        }
        this.mergeRanks = new HashMap<>(merges.size() * 2);
        for (int r = 0; r < merges.size(); r++) {
            String m = merges.get(r);
            if (m.indexOf(' ', 1) < 0) {
                throw new IllegalArgumentException("merge " + r + " '" + m + "' is not 'left right'");
            }
            mergeRanks.putIfAbsent(m, r);
        }
        this.endOfGeneration = new BitSet(pieces.length);
        endOfGeneration.set(eos);
        for (int id : new int[]{eot, eom}) {
            if (id >= 0) {
                endOfGeneration.set(checkId(id, "eot/eom"));
            }
        }
        for (String t : END_OF_GENERATION_TEXTS) {
            Integer id = ids.get(t);
            if (id != null) {
                endOfGeneration.set(id);
                this.types[id] = TYPE_CONTROL;
            }
        }
        this.specials = new SpecialTokens(this.pieces, this.types);
    }

    private int checkId(int id, String what) {
        if (id < 0 || id >= pieces.length) {
            throw new IllegalArgumentException(what + " token id " + id + " is outside the vocabulary of "
                + pieces.length);
        }
        return id;
    }

    /** Reads the tokenizer from {@code tokenizer.ggml.*} metadata ({@code tokenizer.ggml.model = gpt2}). */
    static BpeTokenizer from(GgufFile f) {
        Pre pre = Pre.of(f, f.has("tokenizer.ggml.pre") ? f.getString("tokenizer.ggml.pre") : "(missing)");
        String[] pieces = tokens(f);
        int[] types = types(f, pieces.length);
        List<String> merges = new ArrayList<>(f.getStrings("tokenizer.ggml.merges"));
        boolean addBos = f.has("tokenizer.ggml.add_bos_token")
            ? (Boolean) f.require("tokenizer.ggml.add_bos_token").value() : pre.addBosByDefault;
        try {
            return new BpeTokenizer(pieces, types, merges, pre, f.getInt("tokenizer.ggml.bos_token_id", -1),
                f.getInt("tokenizer.ggml.eos_token_id"), f.getInt("tokenizer.ggml.eot_token_id", -1),
                f.getInt("tokenizer.ggml.eom_token_id", -1), addBos);
        } catch (IllegalArgumentException e) {
            throw invalid(f, e);
        }
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return endOfGeneration.get(id);
    }

    /** {@code addSpecial} prepends BOS when the vocabulary adds one; {@code atStart} changes nothing here. */
    @Override
    public int[] encode(String text, boolean addSpecial, boolean atStart) {
        return tokenize(text, addSpecial, false);
    }

    @Override
    public int[] encodeSpecial(String text, boolean addSpecial) {
        return tokenize(text, addSpecial, true);
    }

    private int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 2);
        if (addSpecial && addBos) {
            out.add(bos);
        }
        for (SpecialTokens.Fragment f : specials.split(text, parseSpecial)) {
            if (f.isToken()) {
                out.add(f.token());
            } else {
                Matcher m = pre.pattern.matcher(f.text());
                int last = 0;
                while (m.find()) {
                    requireNoGap(last, m.start(), f.text());
                    out.addAll(word(m.group()));
                    last = m.end();
                }
                requireNoGap(last, f.text().length(), f.text());
            }
        }
        return out.toArray();
    }

    /**
     * The pre-tokenizer's alternatives cover every character (letters, digits, whitespace, and the rest), so its
     * matches are contiguous; text between two of them would be a bug in the pattern, never dropped silently.
     */
    private static void requireNoGap(int last, int next, String text) {
        if (next != last) {
            throw new IllegalStateException("pre-tokenizer skipped characters " + last + ".." + next + " of a "
                + text.length() + "-character text");
        }
    }

    /** The ids of one pre-tokenized word. */
    private int[] word(String word) {
        int[] hit = cache.get(word);
        if (hit != null) {
            return hit;
        }
        byte[] utf8 = word.getBytes(StandardCharsets.UTF_8);
        char[] mapped = new char[utf8.length];
        for (int i = 0; i < utf8.length; i++) {
            mapped[i] = BYTE_TO_CHAR[utf8[i] & 0xff];
        }
        String symbols = new String(mapped);
        Integer whole = pre.ignoreMerges ? ids.get(symbols) : null;
        int[] result = whole != null ? new int[]{whole} : merge(symbols);
        if (cache.size() < CACHE_LIMIT) {
            cache.put(word, result);
        }
        return result;
    }

    /** One word's merges over its byte-level characters, lowest merge rank first (see {@link PairMerger}). */
    private int[] merge(String symbols) {
        int[] starts = new int[symbols.length()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = i;
        }
        int[] bounds = PairMerger.merge(symbols, starts, (t, from, mid, to) -> {
            Integer rank = mergeRanks.get(t.substring(from, mid) + " " + t.substring(mid, to));
            return rank == null ? Double.NaN : rank;
        });
        IntList out = new IntList(bounds.length);
        for (int i = 0; i + 1 < bounds.length; i++) {
            String symbol = symbols.substring(bounds[i], bounds[i + 1]);
            Integer id = ids.get(symbol);
            if (id != null) {
                out.add(id);
            } else {
                for (int c = 0; c < symbol.length(); c++) {
                    out.add(ids.get(String.valueOf(symbol.charAt(c))));
                }
            }
        }
        return out.toArray();
    }

    /** Normal tokens map back through GPT-2's byte characters; user-defined ones are their text; control omitted. */
    @Override
    public String decode(int[] tokens) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : tokens) {
            String p = pieces[id];
            if (types[id] == TYPE_NORMAL) {
                for (int i = 0; i < p.length(); i++) {
                    char c = p.charAt(i);
                    int b = c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
                    if (b >= 0) {
                        bytes.write(b);
                    } else {
                        bytes.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                    }
                }
            } else if (types[id] == TYPE_USER_DEFINED) {
                bytes.writeBytes(p.getBytes(StandardCharsets.UTF_8));
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
