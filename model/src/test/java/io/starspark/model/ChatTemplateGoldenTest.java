package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.starspark.errors.UserError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real Llama 3 and Qwen3 chat templates rendered by Jinjava against Hugging Face transformers.js
 * {@code apply_chat_template} (text and ids) and llama.cpp's tokenization of the same text (oracle/chat.mjs).
 */
class ChatTemplateGoldenTest {
    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3"})
    void renderedTextAndIdsEqualHuggingFaceAndLlamaCpp(String family) {
        BpeTokenizerGoldenTest.RealVocab v = BpeTokenizerGoldenTest.realVocab(family);
        JsonNode cases = BpeTokenizerGoldenTest.golden("chat-templates.json").get("families").get(family);
        assertTrue(cases.size() >= 8);
        for (JsonNode c : cases) {
            List<ChatTemplate.Message> messages = new ArrayList<>();
            for (JsonNode m : c.get("messages")) {
                messages.add(new ChatTemplate.Message(m.get("role").asText(), m.get("content").asText()));
            }
            boolean gen = c.get("add_generation_prompt").asBoolean();
            assertEquals(c.get("text").asText(), v.chat().render(messages, gen), "rendered " + messages);
            int[] ids = v.chat().encode(messages, gen);
            assertArrayEquals(BpeTokenizerGoldenTest.ints(c.get("ids")), ids, "HF ids of " + messages);
            assertArrayEquals(BpeTokenizerGoldenTest.ints(c.get("llamacpp")), ids, "llama.cpp ids of " + messages);
        }
    }

    @Test
    void jinjaFeaturesJinjavaLacksAreProvided() {
        Tokenizer tok = BpeTokenizerGoldenTest.tokenizer("llama3");
        String t = "{{ ' a b '.strip() }}|{{ 'xxhixx'.strip('x') }}|{{ 'a</think>b'.split('</think>')[-1] }}|"
            + "{{ 'abc'.startswith('ab') }}|{{ messages[::-1][0].content }}|"
            + "{% set ns = namespace(n=0) %}{% for m in messages %}{% if loop.index0 == 1 %}{% break %}{% endif %}"
            + "{% set ns.n = ns.n + 1 %}{% endfor %}{{ ns.n }}";
        List<ChatTemplate.Message> msgs = List.of(new ChatTemplate.Message("user", "first"),
            new ChatTemplate.Message("assistant", "last"));
        assertEquals("a b|hi|b|true|last|1", new ChatTemplate(t, tok).render(msgs, true));
        UserError e = assertThrows(UserError.class,
            () -> new ChatTemplate("{{ raise_exception('only user and assistant roles') }}", tok).render(msgs, true));
        assertTrue(e.getMessage().contains("only user and assistant roles"), e.getMessage());
    }
}
