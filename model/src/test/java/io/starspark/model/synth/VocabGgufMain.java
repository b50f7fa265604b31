package io.starspark.model.synth;

import io.starspark.model.gguf.GgufWriter;

import java.nio.file.Path;

/**
 * Writes a tensor-less GGUF holding only a Hugging Face tokenizer's vocabulary (through {@link HfTokenizerFiles})
 * plus the llama hyper-parameters llama.cpp reads before it stops at {@code vocab_only}; the oracle's
 * {@code tokenize.mjs} loads it with node-llama-cpp. Usage: {@code VocabGgufMain <tokenizer dir> <out.gguf>}.
 */
public final class VocabGgufMain {
    private VocabGgufMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: VocabGgufMain <tokenizer dir> <out.gguf>");
        }
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "vocab-only");
        w.putUint32("llama.context_length", 4096);
        w.putUint32("llama.embedding_length", 64);
        w.putUint32("llama.block_count", 1);
        w.putUint32("llama.feed_forward_length", 128);
        w.putUint32("llama.rope.dimension_count", 16);
        w.putUint32("llama.attention.head_count", 4);
        w.putUint32("llama.attention.head_count_kv", 4);
        w.putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        HfTokenizerFiles.read(Path.of(args[0])).putInto(w);
        w.write(Path.of(args[1]));
    }
}
