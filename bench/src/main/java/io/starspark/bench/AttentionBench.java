package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.jvm.JavaKernels;
import java.util.Random;

/**
 * Causal attention throughput of {@link JavaKernels} (not a test: run by hand).
 * Usage: {@code bench/run-java.sh 4g io.starspark.bench.AttentionBench [tokens] [threads] [reps] [headDim]}. GFLOP/s counts the two products only:
 * 4·headDim flops per visible (query head, key) pair.
 */
public final class AttentionBench {
    private AttentionBench() {
    }

    public static void main(String[] args) {
        int t = args.length > 0 ? Integer.parseInt(args[0]) : 8192;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int reps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        int[][] models = {{8, 4, 8}, {4, 2, 16}, {8, 2, 64}}; // stories260K, needle-retriever, hd 64
        try (JavaKernels kernels = new JavaKernels(threads)) {
            for (int[] m : models) {
                if (args.length > 3 && m[2] != Integer.parseInt(args[3])) {
                    continue;
                }
                run(kernels, t, m[0], m[1], m[2], reps);
            }
        }
    }

    private static void run(JavaKernels kernels, int t, int heads, int kvHeads, int hd, int reps) {
        Random r = new Random(1);
        AttentionShape s = AttentionShape.causal(t, t, heads, kvHeads, hd);
        float[] q = gaussian(r, t * heads * hd);
        float[] k = gaussian(r, t * kvHeads * hd);
        float[] v = gaussian(r, t * kvHeads * hd);
        float[] out = new float[q.length];
        float[] lse = new float[t * heads];
        double flops = 4.0 * hd * heads * ((double) t * (t + 1) / 2);
        kernels.attention(s, q, k, v, out, lse); // warm-up
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        double best = Double.MAX_VALUE;
        double bestCpu = Double.MAX_VALUE;
        long bytes0 = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
        for (int i = 0; i < reps; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            kernels.attention(s, q, k, v, out, lse);
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
            bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        long allocated = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes() - bytes0;
        System.out.printf("T=S=%d heads=%d kvHeads=%d hd=%d threads=%d: best %.3f s, %.1f GFLOP/s wall",
                t, heads, kvHeads, hd, kernels.threads(), best, flops / best / 1e9);
        if (kernels.threads() == 1) {
            // the kernel runs in this thread: CPU time is robust to other load on the machine, and
            // allocation after warm-up shows vectors boxed by C2 (should be 0)
            System.out.printf("; %.1f GFLOP/s cpu; %d MB allocated", flops / bestCpu / 1e9, allocated >> 20);
        }
        System.out.println();
    }

    private static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
