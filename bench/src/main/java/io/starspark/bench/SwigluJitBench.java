package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.jvm.JavaKernels;
import java.util.Locale;
import java.util.Random;

/**
 * A reproducer of a JDK 17 C2 behaviour that makes {@code JavaKernels.swiglu} 2× slower in some JVMs: when the
 * blockwise (prefill) attention ran first, C2's compile of swiglu fails to intrinsify the Vector API store
 * ({@code -XX:+UnlockDiagnosticVMOptions -XX:+PrintInlining}: {@code VectorSupport::store ... failed to inline
 * (intrinsic)}), so every result vector is boxed and stored by the API's Java fallback. Run alone, swiglu compiles
 * cleanly. The same failure hits {@code JavaAttention.rescaleFactors}; both store a value computed by
 * {@code VectorExp.exp}. In the 1b q8_0 decode step (PrefillBench) swiglu measured 0.4 ms per token in some JVMs and
 * 2.3–3.3 in others. The cause: C2 adds the trap counts of every method it inlines into one total per compile and,
 * past {@code -XX:PerMethodTrapLimit} (JDK default 100; swiglu's compile reached 163 in {@code -XX:+LogCompilation}),
 * compiles the calls after that point as virtual calls, so the store's species is no constant. conf/jvm-flags (which
 * bench/run-java.sh passes) raises the limit ({@code io.starspark.kernels.jvm.JitCheck}); add
 * {@code BENCH_JVM_OPTS=-XX:PerMethodTrapLimit=100} to see the JDK's default.
 * <p>
 * Args: {@code [attention-first (true)] [calls per round (5000)]}; prints µs per swiglu call of 8192 values, 6 rounds.
 */
public final class SwigluJitBench {
    private SwigluJitBench() {
    }

    public static void main(String[] args) {
        boolean attentionFirst = args.length == 0 || Boolean.parseBoolean(args[0]);
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        int n = 8192;
        Random r = new Random(1);
        float[] gate = AttentionBench.gaussian(r, n);
        float[] up = AttentionBench.gaussian(r, n);
        try (JavaKernels k = new JavaKernels(2)) {
            if (attentionFirst) {
                int t = 256;
                int heads = 12;
                int hd = 64;
                AttentionShape s = AttentionShape.causal(t, t, heads, heads, hd);
                float[] q = AttentionBench.gaussian(r, t * heads * hd);
                float[] kk = AttentionBench.gaussian(r, t * heads * hd);
                float[] v = AttentionBench.gaussian(r, t * heads * hd);
                float[] out = new float[t * heads * hd];
                float[] lse = new float[t * heads];
                long t0 = System.nanoTime();
                while (System.nanoTime() - t0 < 4_000_000_000L) {
                    k.attention(s, q, kk, v, out, lse);
                }
            }
            System.out.printf(Locale.ROOT, "swiglu of %d values, 2 threads, attention first: %s%n", n, attentionFirst);
            for (int round = 0; round < 6; round++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < calls; i++) {
                    k.swiglu(gate, gate, up, n);
                }
                double us = (System.nanoTime() - t0) / 1e3 / calls;
                System.out.printf(Locale.ROOT, "round %d: %.2f us per call%n", round, us);
                gate = AttentionBench.gaussian(r, n);
            }
        }
    }
}
