package io.starspark.kernels.jvm;

import io.starspark.bench.PeerMain;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * Decode steps of one model in one JVM, alternating between two kernel pools that differ only in how many ranges
 * per thread their loops split into ({@link Parallel#PARTS_PER_THREAD}), so both see the same machine load. Prefills
 * {@code TOKENS} ids once, then runs 16 warm-up steps and {@code STEPS} measured steps per pool, alternating.
 * Usage: {@code bench/run-java.sh 8g io.starspark.kernels.jvm.DecodeAB MODEL.gguf IDS.json [TOKENS (256)] [STEPS (60)]
 * [PARTS_A (1)] [PARTS_B (16)] [THREADS (2)]}. Prints the median, mean and 10th/90th percentile step time of each.
 * <p>
 * Caveat (2026-12-05, 1b q8_0 after 1024 ids; 4 runs: two pool settings in both orders, then 8 against 16 and 32
 * against 16 ranges): the second pool (B, the odd steps) was faster in every run, by 0.6–6 ms, whichever setting it
 * had. Confirm a difference with both orders, or in separate JVMs run alternately (bench/README.md, session 13).
 */
public final class DecodeAB {
    private DecodeAB() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DecodeAB MODEL.gguf IDS.json [TOKENS] [STEPS] [PARTS_A] [PARTS_B] [THREADS]");
            System.exit(2);
        }
        int[] all = PeerMain.readIds(Path.of(args[1]));
        int tokens = Math.min(all.length, args.length > 2 ? Integer.parseInt(args[2]) : 256);
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 60;
        int[] parts = {args.length > 4 ? Integer.parseInt(args[4]) : 1, args.length > 5 ? Integer.parseInt(args[5]) : 16};
        int threads = args.length > 6 ? Integer.parseInt(args[6]) : 2;
        try (JavaKernels a = new JavaKernels(threads, parts[0]); JavaKernels b = new JavaKernels(threads, parts[1])) {
            LlamaModel m = LlamaModel.load(Path.of(args[0]));
            Forward[] f = {new Forward(m, a), new Forward(m, b)};
            KvCache cache = KvCache.forModel(m.config(), KvDtype.F32, tokens + 2 * steps + 16); // no regrowth mid-run
            int[] pos = new int[tokens];
            Arrays.setAll(pos, i -> i);
            int token = Sampler.argmax(f[0].forward(Arrays.copyOf(all, tokens), pos, cache, null, Logits.LAST));
            double[][] ms = new double[2][steps];
            for (int i = 0; i < 2 * steps + 16; i++) {
                int which = i & 1;
                long c0 = System.nanoTime();
                token = Sampler.argmax(f[which].forward(new int[] {token}, new int[] {tokens + i}, cache, null, Logits.LAST));
                if (i >= 16) {
                    ms[which][(i - 16) / 2] = (System.nanoTime() - c0) / 1e6;
                }
            }
            System.out.printf(Locale.ROOT, "%s: %d threads, decode after %d ids, %d steps per pool, alternating%n",
                    Path.of(args[0]).getFileName(), threads, tokens, steps);
            for (int w = 0; w < 2; w++) {
                double[] s = ms[w].clone();
                Arrays.sort(s);
                System.out.printf(Locale.ROOT, "%2d ranges per thread: median %.1f ms, mean %.1f, p10 %.1f, p90 %.1f%n",
                        parts[w], s[s.length / 2], Arrays.stream(s).average().orElse(0), s[s.length / 10],
                        s[s.length * 9 / 10]);
            }
        }
    }
}
