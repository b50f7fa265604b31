package io.starspark.bench;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsChoice;
import io.starspark.model.LlamaModel;
import java.nio.file.Path;
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
        GreedyRun r = GreedyRun.run(m, k, prompt, decode);
        if (print) {
            System.out.printf("%s kernels=%s: prefill %d tokens %.0f tok/s; decode %d tokens %.0f tok/s%n",
                m.path().getFileName(), k.name(), prompt.length, r.prefillTokS(), decode, r.decodeTokS());
        }
    }
}
