package io.starspark.model.synth;

import io.starspark.model.Oracle;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The converter against facts of the real Llama 3 and Qwen3 tokenizer files (ids as published GGUFs carry them). */
class HfTokenizerFilesTest {
    @TempDir
    Path tmp;

    @Test
    void llama3() {
        GgufFile f = roundTrip(HfTokenizerFiles.read(Oracle.tokenizerDir("llama3")));
        assertEquals("gpt2", f.getString("tokenizer.ggml.model"));
        assertEquals("llama-bpe", f.getString("tokenizer.ggml.pre"));
        List<?> tokens = f.getArray("tokenizer.ggml.tokens").elements();
        List<?> types = f.getArray("tokenizer.ggml.token_type").elements();
        assertEquals(128256, tokens.size());
        assertEquals(280147, f.getArray("tokenizer.ggml.merges").elements().size());
        assertEquals("Ġthe", tokens.get(279));
        assertEquals("<|eot_id|>", tokens.get(128009));
        assertEquals(1, ((Number) types.get(279)).intValue());
        assertEquals(3, ((Number) types.get(128009)).intValue());
        assertEquals(3, ((Number) types.get(128255)).intValue());
        assertEquals(128000, f.getInt("tokenizer.ggml.bos_token_id"));
        assertEquals(128001, f.getInt("tokenizer.ggml.eos_token_id"));
        assertEquals(128009, f.getInt("tokenizer.ggml.eot_token_id"));
        assertFalse(f.has("tokenizer.ggml.eom_token_id"), "Llama 3.0 has no <|eom_id|>");
        assertFalse(f.has("tokenizer.ggml.add_bos_token"), "neither config nor post-processor says; llama-bpe's default");
        assertTrue(f.getString("tokenizer.chat_template").contains("<|start_header_id|>"));
    }

    @Test
    void qwen3() {
        GgufFile f = roundTrip(HfTokenizerFiles.read(Oracle.tokenizerDir("qwen3"), 151936));
        assertEquals("qwen2", f.getString("tokenizer.ggml.pre"));
        List<?> tokens = f.getArray("tokenizer.ggml.tokens").elements();
        List<?> types = f.getArray("tokenizer.ggml.token_type").elements();
        assertEquals(151936, tokens.size());
        assertEquals(151387, f.getArray("tokenizer.ggml.merges").elements().size());
        assertEquals("<|im_start|>", tokens.get(151644));
        assertEquals(3, ((Number) types.get(151644)).intValue());
        assertEquals("<think>", tokens.get(151667));
        assertEquals(4, ((Number) types.get(151667)).intValue(), "<think> is an added non-special token");
        assertEquals(3, ((Number) types.get(151659)).intValue(), "<|fim_prefix|> looks special");
        assertEquals("[PAD151700]", tokens.get(151700));
        assertEquals(5, ((Number) types.get(151700)).intValue());
        assertEquals(151643, f.getInt("tokenizer.ggml.bos_token_id"));
        assertEquals(151645, f.getInt("tokenizer.ggml.eos_token_id"));
        assertFalse(f.has("tokenizer.ggml.eot_token_id"));
        assertEquals(Boolean.FALSE, f.require("tokenizer.ggml.add_bos_token").value());
        assertTrue(f.getString("tokenizer.chat_template").contains("<|im_start|>"));
    }

    private GgufFile roundTrip(HfTokenizerFiles files) {
        GgufWriter w = new GgufWriter();
        files.putInto(w);
        Path out = tmp.resolve("vocab.gguf");
        w.write(out);
        return GgufFile.open(out);
    }
}
