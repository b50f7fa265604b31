package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Rope;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a fresh JVM loses time (the cold case of {@code bench/run-peer.sh}): loads a model, prefills the prompt in
 * chunks and decodes greedily, printing each chunk's milliseconds split by kernel call (matmul, matmuls, attention,
 * norms, RoPE, SwiGLU), the first attention calls one by one, and the first decode steps against the later ones.
 * The first chunk against the next is the JIT's share; it is measured within one run, so it holds up on a noisy host.
 * Usage: {@code bench/run-java.sh 8g io.starspark.bench.ColdTrace MODEL.gguf IDS.json [TOKENS (1024)] [CHUNK (256)]
 * [DECODE (64)] [THREADS (2)]} with IDS.json a JSON array of token ids (run-peer.sh writes them under
 * bench/target/peer/run). Each run needs a fresh JVM: run it again for another sample.
 */
public final class ColdTrace {
    private ColdTrace() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: ColdTrace MODEL.gguf IDS.json [TOKENS] [CHUNK] [DECODE] [THREADS]");
            System.exit(2);
        }
        String s = Files.readString(Path.of(args[1])).trim();
        int[] all = Arrays.stream(s.substring(1, s.length() - 1).split(",")).mapToInt(x -> Integer.parseInt(x.trim()))
                .toArray();
        int tokens = Math.min(all.length, args.length > 2 ? Integer.parseInt(args[2]) : 1024);
        int chunk = args.length > 3 ? Integer.parseInt(args[3]) : 256;
        int decode = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        try (JavaKernels java = new JavaKernels(threads)) {
            Timed k = new Timed(java);
            long t0 = System.nanoTime();
            LlamaModel m = LlamaModel.load(Path.of(args[0]));
            System.out.printf(Locale.ROOT, "%s: loaded in %.2f s (JVM up %.2f s), %d threads, prompt %d in chunks of %d%n",
                    Path.of(args[0]).getFileName(), (System.nanoTime() - t0) / 1e9,
                    ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, threads, tokens, chunk);
            Forward f = new Forward(m, k);
            KvCache cache = KvCache.forModel(m.config());
            float[] logits = null;
            for (int p = 0; p < tokens; p += chunk) {
                int len = Math.min(chunk, tokens - p);
                int first = p;
                int[] pos = new int[len];
                Arrays.setAll(pos, i -> first + i);
                long c0 = System.nanoTime();
                logits = f.forward(Arrays.copyOfRange(all, p, p + len), pos, cache, null, Logits.LAST);
                System.out.printf(Locale.ROOT, "chunk %d: %6.0f ms  %s%n", p / chunk, (System.nanoTime() - c0) / 1e6,
                        k.drain());
            }
            System.out.println("first attention calls, ms: " + k.firstAttention());
            int token = Sampler.argmax(logits);
            double[] ms = new double[decode];
            for (int i = 0; i < decode; i++) {
                long c0 = System.nanoTime();
                logits = f.forward(new int[] {token}, new int[] {tokens + i}, cache, null, Logits.LAST);
                token = Sampler.argmax(logits);
                ms[i] = (System.nanoTime() - c0) / 1e6;
            }
            k.drain();
            double[] late = Arrays.copyOfRange(ms, decode / 2, decode);
            Arrays.sort(late);
            double first = Arrays.stream(ms, 0, Math.min(16, decode)).sum();
            System.out.printf(Locale.ROOT, "decode: first %d steps %.0f ms (first step %.0f ms); median of the last %d: "
                    + "%.1f ms%n", Math.min(16, decode), first, ms.length > 0 ? ms[0] : 0, late.length,
                    late.length > 0 ? late[late.length / 2] : 0);
        }
    }

    /** Times every call of a backend, by operation. */
    private static final class Timed implements Kernels {
        private final Kernels k;
        private final Map<String, long[]> nanos = new TreeMap<>();
        private final double[] firstAttention = new double[12];
        private int attentionCalls;

        Timed(Kernels k) {
            this.k = k;
        }

        private void add(String op, long t0) {
            long[] a = nanos.computeIfAbsent(op, x -> new long[2]);
            a[0] += System.nanoTime() - t0;
            a[1]++;
        }

        /** The time per operation since the last call, then cleared. */
        String drain() {
            StringBuilder sb = new StringBuilder();
            nanos.forEach((op, a) -> sb.append(String.format(Locale.ROOT, "%s %.0f ms/%d  ", op, a[0] / 1e6, a[1])));
            nanos.clear();
            return sb.toString().trim();
        }

        String firstAttention() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < Math.min(attentionCalls, firstAttention.length); i++) {
                sb.append(String.format(Locale.ROOT, "%.0f ", firstAttention[i]));
            }
            return sb.toString().trim();
        }

        @Override
        public String name() {
            return k.name();
        }

        @Override
        public void matmul(float[] out, float[] x, Matrix w, int tokens) {
            long t0 = System.nanoTime();
            k.matmul(out, x, w, tokens);
            add("matmul", t0);
        }

        @Override
        public void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
            long t0 = System.nanoTime();
            k.matmuls(outs, x, ws, tokens);
            add("matmuls", t0);
        }

        @Override
        public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
            long t0 = System.nanoTime();
            k.rmsnorm(out, x, weight, tokens, dim, eps);
            add("rmsnorm", t0);
        }

        @Override
        public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
            long t0 = System.nanoTime();
            k.rope(x, tokens, heads, headDim, positions, rope);
            add("rope", t0);
        }

        @Override
        public void swiglu(float[] out, float[] gate, float[] up, int n) {
            long t0 = System.nanoTime();
            k.swiglu(out, gate, up, n);
            add("swiglu", t0);
        }

        @Override
        public void attention(AttentionShape shape, float[] q, float[] key, float[] v, float[] out, float[] lse) {
            long t0 = System.nanoTime();
            k.attention(shape, q, key, v, out, lse);
            if (attentionCalls < firstAttention.length) {
                firstAttention[attentionCalls] = (System.nanoTime() - t0) / 1e6;
            }
            attentionCalls++;
            add("attention", t0);
        }

        @Override
        public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores, int tokens, int pages,
                               int heads, int kvHeads, int headDim) {
            k.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        }
    }
}
