package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.starspark.kernels.ReferenceKernels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** stories260K goldens from an independent float64 reference: tokenizer, greedy continuation, top-10 logits. */
class GoldenTest {

    @Test
    void configMatchesModelCard() {
        LlamaConfig c = Stories.model().config();
        assertEquals(LlamaConfig.llama(64, 5, 8, 4, 8, 172, 512, 10000.0, 8, 1e-5f, 2048, false), c);
        assertEquals(Stories.golden().get("sha256").asText(), Stories.model().id());
    }

    @Test
    void tokenizerMatchesEveryGoldenText() {
        Tokenizer tok = Stories.model().tokenizer();
        for (JsonNode c : Stories.golden().get("tokenize")) {
            String text = c.get("text").asText();
            int[] ids = tok.encode(text, true, true);
            assertArrayEquals(Stories.ints(c.get("ids")), ids, text);
            assertEquals(" " + text, tok.decode(ids), "decode(encode) of " + text);
        }
    }

    @Test
    void greedyContinuationMatchesGolden() {
        JsonNode g = Stories.golden().get("greedy");
        LlamaModel m = Stories.model();
        int[] prompt = m.tokenizer().encode(g.get("prompt").asText(), true, true);
        Generator.Result r = new Generator(m, new ReferenceKernels()).generate(prompt, g.get("new_tokens").asInt(),
            Sampler.greedy());
        assertArrayEquals(Stories.ints(g.get("ids")), r.ids());
        assertEquals(g.get("text").asText(), m.tokenizer().decode(r.ids()));
        System.out.printf("stories260K reference kernels: prefill %d tokens %.1f tok/s, decode %d tokens %.1f tok/s%n",
            r.promptTokens(), r.prefillTokensPerSecond(), r.ids().length - 1, r.decodeTokensPerSecond());
    }

    @Test
    void topLogitsMatchGolden() {
        JsonNode g = Stories.golden().get("logits");
        LlamaModel m = Stories.model();
        int[] ids = m.tokenizer().encode(g.get("text").asText(), true, true);
        int pos = g.get("position").asInt();
        assertEquals(24, ids.length);
        float[] all = new Forward(m, new ReferenceKernels())
            .forward(ids, Stories.range(0, ids.length), KvCache.forModel(m.config()), null, Logits.ALL);
        int vocab = m.config().vocabSize();
        float[] row = Arrays.copyOfRange(all, pos * vocab, (pos + 1) * vocab);
        int[] top = IntStream.range(0, vocab).boxed()
            .sorted(Comparator.comparingDouble((Integer i) -> -row[i]).thenComparingInt(i -> i))
            .limit(10).mapToInt(Integer::intValue).toArray();
        assertArrayEquals(Stories.ints(g.get("top10_ids")), top);
        double tol = g.get("tolerance_abs").asDouble();
        for (int i = 0; i < 10; i++) {
            assertEquals(g.get("top10_logits").get(i).asDouble(), row[top[i]], tol, "logit of " + top[i]);
        }
    }
}
