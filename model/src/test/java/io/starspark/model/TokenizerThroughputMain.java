package io.starspark.model;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Encode/decode throughput of the byte-level BPE tokenizers on a long text (not a test; prints numbers).
 * The text: the golden texts in seeded random order, each followed by a random number, until {@code chars}.
 * Usage (system property starspark.oracle set): {@code TokenizerThroughputMain [chars] [seed]}.
 */
public final class TokenizerThroughputMain {
    private TokenizerThroughputMain() {
    }

    public static void main(String[] args) {
        int chars = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 8;
        System.out.println("seed " + seed + ", " + chars + " chars");
        List<String> texts = new ArrayList<>();
        for (JsonNode c : BpeTokenizerGoldenTest.golden("tokenizer-llama3.json").get("cases")) {
            texts.add(c.get("text").asText());
        }
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 1000);
        while (sb.length() < chars) {
            sb.append(texts.get(rnd.nextInt(texts.size()))).append(' ').append(rnd.nextInt(1_000_000)).append(". ");
        }
        String text = sb.toString();
        for (String family : new String[]{"llama3", "qwen3"}) {
            Tokenizer tok = BpeTokenizerGoldenTest.tokenizer(family);
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                int[] ids = tok.encode(text, true, true);
                long t1 = System.nanoTime();
                String back = tok.decode(ids);
                long t2 = System.nanoTime();
                System.out.printf("%s round %d: %d tokens, encode %.2f s = %.0f tokens/s, decode %.0f tokens/s, "
                        + "round trip %s%n", family, round, ids.length, (t1 - t0) / 1e9, ids.length / ((t1 - t0) / 1e9),
                    ids.length / ((t2 - t1) / 1e9), back.equals(text.toString()) ? "exact" : "DIFFERS");
            }
        }
    }
}
