package io.starspark.bench;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsChoice;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Single-JVM prefill/decode throughput on a model (not a test; prints numbers).
 * Usage: {@code bench/run-java.sh 4g io.starspark.bench.ThroughputMain <model.gguf> [promptTokens] [decodeTokens]
 * [java|reference|aparapi|auto]}.
 */
public final class ThroughputMain {
    private ThroughputMain() {
    }

    public static void main(String[] args) {
        LlamaModel m = LlamaModel.load(Path.of(args[0]));
        int promptLen = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int decode = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        Kernels k = KernelBackends.select(
                KernelsChoice.valueOf((args.length > 3 ? args[3] : "java").toUpperCase(Locale.ROOT)));
        int[] base = m.tokenizer().encode("Lily and Tom went to the park. They saw a big dog. The dog was happy.", true, true);
        int[] prompt = new int[promptLen];
        for (int i = 0; i < promptLen; i++) {
            prompt[i] = base[i % base.length];
        }
        for (int round = 0; round < 3; round++) {
            run(m, k, prompt, decode, round == 2);
        }
    }

    private static void run(LlamaModel m, Kernels k, int[] prompt, int decode, boolean print) {
        Forward f = new Forward(m, k);
        KvCache cache = KvCache.forModel(m.config());
        int[] pos = new int[prompt.length];
        Arrays.setAll(pos, i -> i);
        long t0 = System.nanoTime();
        float[] logits = f.forward(prompt, pos, cache, null, Logits.LAST);
        long t1 = System.nanoTime();
        for (int i = 0; i < decode; i++) {
            int next = Sampler.argmax(logits);
            logits = f.forward(new int[]{next}, new int[]{prompt.length + i}, cache, null, Logits.LAST);
        }
        long t2 = System.nanoTime();
        if (print) {
            System.out.printf("%s kernels=%s: prefill %d tokens %.0f tok/s; decode %d tokens %.0f tok/s%n",
                m.path().getFileName(), k.name(), prompt.length, prompt.length / ((t1 - t0) / 1e9),
                decode, decode / ((t2 - t1) / 1e9));
        }
    }
}
