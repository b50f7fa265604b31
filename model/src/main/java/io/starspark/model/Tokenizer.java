package io.starspark.model;

import io.starspark.model.gguf.GgufFile;

/**
 * Text to token ids and back, for the vocabulary in a GGUF file; the implementation is chosen by
 * {@code tokenizer.ggml.model}: {@code llama} (SentencePiece BPE) or {@code gpt2} (byte-level BPE, Llama 3 and
 * Qwen). Immutable and thread-safe.
 *
 * <p>Two ways to encode, as llama.cpp's {@code parse_special} flag: {@link #encode} is for user text, where a
 * control token's text (a user typing {@code <|eot_id|>}) is ordinary text; {@link #encodeSpecial} is for text
 * the program built, such as a rendered chat template, where control tokens written in it become their ids.
 * User-defined added tokens (e.g. Qwen's {@code <think>}) are matched in both, like llama.cpp and Hugging Face.
 */
public sealed interface Tokenizer permits SentencePieceTokenizer, BpeTokenizer {
    /** llama.cpp's token types ({@code tokenizer.ggml.token_type}). */
    int TYPE_NORMAL = 1;
    int TYPE_UNKNOWN = 2;
    int TYPE_CONTROL = 3;
    int TYPE_USER_DEFINED = 4;
    int TYPE_UNUSED = 5;
    int TYPE_BYTE = 6;

    /** The tokenizer {@code tokenizer.ggml.model} names; any other model is a {@link ModelFormatException}. */
    static Tokenizer from(GgufFile f) {
        String model = f.getString("tokenizer.ggml.model");
        return switch (model) {
            case "llama" -> SentencePieceTokenizer.from(f);
            case "gpt2" -> BpeTokenizer.from(f);
            default -> throw new ModelFormatException(f.path(), "unsupported tokenizer model '" + model
                + "' (supported: llama, gpt2)");
        };
    }

    int bos();

    int eos();

    /** Whether generation ends at {@code id}: EOS, and for chat vocabularies also end-of-turn tokens. */
    boolean isEndOfGeneration(int id);

    int vocabSize();

    /** The raw vocabulary entry of {@code id}, as stored in the GGUF. */
    String piece(int id);

    int type(int id);

    /**
     * Ids of user text: control-token look-alikes stay text. {@code addSpecial} adds what the model adds around
     * a sequence (BOS where the vocabulary asks for it); {@code atStart} says the text starts a sequence, so
     * start-of-text rules apply (SentencePiece's space prefix; nothing for byte-level BPE).
     */
    int[] encode(String text, boolean addSpecial, boolean atStart);

    /** Ids of program-built text (e.g. a rendered chat template): control tokens written in it are kept whole. */
    int[] encodeSpecial(String text, boolean addSpecial);

    /** The text of {@code tokens}, control tokens omitted; bytes split across tokens are joined before UTF-8 decoding. */
    String decode(int[] tokens);
}
