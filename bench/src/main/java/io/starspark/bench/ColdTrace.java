package io.starspark.bench;

import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Where a fresh JVM loses time (the cold case of {@code bench/run-peer.sh}): loads a model, prefills the prompt in
 * chunks and decodes greedily, printing each chunk's milliseconds split by kernel ({@link TimingKernels}: matmul,
 * attention, norms, RoPE, SwiGLU), the first attention calls one by one, and the first decode steps against the
 * later ones. The first chunk against the next is the JIT's share; it is measured within one run, so it holds up on
 * a noisy host.
 * Usage: {@code bench/run-java.sh 8g io.starspark.bench.ColdTrace MODEL.gguf IDS.json [TOKENS (1024)] [CHUNK (256)]
 * [DECODE (64)] [THREADS (2)] [no-warmup]} with IDS.json a JSON array of token ids (run-peer.sh writes them under
 * bench/target/peer/run). The decode paths warm up in the background during the prefill as {@code Generator}
 * starts them ({@code Kernels#prepareDecode}); {@code no-warmup} leaves them cold. Each run needs a fresh JVM: run
 * it again for another sample.
 */
public final class ColdTrace {
    private ColdTrace() {
    }

    /** Milliseconds per kernel since the last call (kernels that ran), then reset. */
    private static String drain(TimingKernels k) {
        String s = k.seconds().entrySet().stream().filter(e -> e.getValue() > 0)
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() * 1e3))
                .collect(Collectors.joining(" ms  ", "", " ms"));
        k.reset();
        return s;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ColdTrace MODEL.gguf IDS.json [TOKENS] [CHUNK] [DECODE] [THREADS] [no-warmup]");
            System.exit(2);
        }
        int[] all = PeerMain.readIds(Path.of(args[1]));
        int tokens = Math.min(all.length, args.length > 2 ? Integer.parseInt(args[2]) : 1024);
        int chunk = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int decode = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        boolean warmUp = args.length <= 6 || !args[6].equals("no-warmup");
        try (JavaKernels java = new JavaKernels(threads)) {
            TimingKernels k = new TimingKernels(java);
            long t0 = System.nanoTime();
            LlamaModel m = LlamaModel.load(Path.of(args[0]));
            System.out.printf(Locale.ROOT, "%s: loaded in %.2f s (JVM up %.2f s), %d threads, prompt %d in chunks of %d%n",
                    Path.of(args[0]).getFileName(), (System.nanoTime() - t0) / 1e9,
                    ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, threads, tokens, chunk);
            Forward f = new Forward(m, k);
            KvCache cache = KvCache.forModel(m.config(), KvDtype.F32, tokens + decode); // as Generator reserves
            if (warmUp) { // as Generator does before a prompt it will decode after
                f.prepareDecode(KvDtype.F32);
            }
            float[] logits = null;
            for (int p = 0; p < tokens; p += chunk) {
                int len = Math.min(chunk, tokens - p);
                int first = p;
                int[] pos = new int[len];
                Arrays.setAll(pos, i -> first + i);
                long c0 = System.nanoTime();
                logits = f.forward(Arrays.copyOfRange(all, p, p + len), pos, cache, null, Logits.LAST);
                System.out.printf(Locale.ROOT, "chunk %d: %6.0f ms  %s%n", p / chunk, (System.nanoTime() - c0) / 1e6,
                        drain(k));
            }
            System.out.println("first attention calls, ms: " + Arrays.stream(k.firstCallsMs("attention"))
                    .mapToObj(x -> String.format(Locale.ROOT, "%.0f", x)).collect(Collectors.joining(" ")));
            int token = Sampler.argmax(logits);
            double[] ms = new double[decode];
            for (int i = 0; i < decode; i++) {
                long c0 = System.nanoTime();
                logits = f.forward(new int[] {token}, new int[] {tokens + i}, cache, null, Logits.LAST);
                token = Sampler.argmax(logits);
                ms[i] = (System.nanoTime() - c0) / 1e6;
                if (i == Math.min(16, decode) - 1) {
                    System.out.printf(Locale.ROOT, "first %d decode steps: %s%n", i + 1, drain(k));
                }
            }
            double[] late = Arrays.copyOfRange(ms, decode / 2, decode);
            Arrays.sort(late);
            double first = Arrays.stream(ms, 0, Math.min(16, decode)).sum();
            System.out.printf(Locale.ROOT, "decode: first %d steps %.0f ms (first step %.0f ms); median of the last %d: "
                    + "%.1f ms%n", Math.min(16, decode), first, ms.length > 0 ? ms[0] : 0, late.length,
                    late.length > 0 ? late[late.length / 2] : 0);
        }
    }
}
