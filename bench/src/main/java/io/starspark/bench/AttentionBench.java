package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.jvm.JavaKernels;
import java.util.Random;

/**
 * Causal attention throughput of {@link JavaKernels} (not a test: run by hand).
 * Usage: {@code bench/run-java.sh 4g io.starspark.bench.AttentionBench [tokens] [threads] [reps] [headDim]}. GFLOP/s counts the two products only:
 * 4·headDim flops per visible (query head, key) pair.
 * <p>
 * {@code AttentionBench decode [keys] [threads] [reps] [heads kvHeads layers] [f32|f16|both]}: one decode step, by
 * default of the 1b shape (32 heads, 8 KV heads, head dim 64, 16 layers; the 110m shape is 12 12 12), over
 * {@code keys} cached keys in each layer (separate K/V arrays, as a decode step reads them), as ms per step, GB/s of
 * K/V read and ns per (query head, key) pair. K/V as floats, as halves (an F16 cache), or both in three interleaved
 * rounds each.
 */
public final class AttentionBench {
    private AttentionBench() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("decode")) {
            int keys = args.length > 1 ? Integer.parseInt(args[1]) : 2048;
            int threads = args.length > 2 ? Integer.parseInt(args[2]) : 2;
            int reps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
            int heads = args.length > 4 ? Integer.parseInt(args[4]) : 32;
            int kvHeads = args.length > 5 ? Integer.parseInt(args[5]) : 8;
            int layers = args.length > 6 ? Integer.parseInt(args[6]) : 16;
            String kv = args.length > 7 ? args[7] : "f32";
            boolean both = kv.equals("both");
            for (int round = 0; round < (both ? 3 : 1); round++) {
                for (String dtype : both ? new String[] {"f32", "f16"} : new String[] {kv}) {
                    decode(keys, threads, reps, heads, kvHeads, layers, dtype.equals("f16"));
                }
            }
            return;
        }
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

    private static void decode(int n, int threads, int reps, int heads, int kvHeads, int layers, boolean half) {
        int hd = 64;
        Random r = new Random(1);
        float[][] k = new float[layers][];
        float[][] v = new float[layers][];
        short[][] hk = new short[layers][];
        short[][] hv = new short[layers][];
        for (int l = 0; l < layers; l++) {
            k[l] = gaussian(r, n * kvHeads * hd);
            v[l] = gaussian(r, n * kvHeads * hd);
            if (half) {
                hk[l] = halves(k[l]);
                hv[l] = halves(v[l]);
                k[l] = null;
                v[l] = null;
            }
        }
        float[] q = gaussian(r, heads * hd);
        float[] out = new float[heads * hd];
        float[] lse = new float[heads];
        AttentionShape s = AttentionShape.causal(1, n, heads, kvHeads, hd);
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        try (JavaKernels kernels = new JavaKernels(threads)) {
            double best = Double.MAX_VALUE;
            double bestCpu = Double.MAX_VALUE;
            double sum = 0;
            long bytes0 = 0;
            for (int i = -3; i < reps; i++) {
                if (i == 0) {
                    bytes0 = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes();
                }
                long c0 = mx.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                for (int l = 0; l < layers; l++) {
                    if (half) {
                        kernels.attention(s, q, hk[l], hv[l], out, lse);
                    } else {
                        kernels.attention(s, q, k[l], v[l], out, lse);
                    }
                }
                double w = (System.nanoTime() - t0) / 1e9;
                if (i >= 0) {
                    best = Math.min(best, w);
                    bestCpu = Math.min(bestCpu, (mx.getCurrentThreadCpuTime() - c0) / 1e9);
                    sum += w;
                }
            }
            long allocated = ((com.sun.management.ThreadMXBean) mx).getCurrentThreadAllocatedBytes() - bytes0;
            double bytes = 2.0 * layers * n * kvHeads * hd * (half ? 2 : 4);
            System.out.printf(java.util.Locale.ROOT, "decode attention %s, %d layers x %d keys, heads %d/%d, hd %d, threads %d:"
                    + " best %.2f ms/step (%.1f GB/s K/V, %.1f ns per head and key), mean %.2f ms%s; out[0] %s%n",
                    half ? "f16" : "f32", layers,
                    n, heads, kvHeads, hd, threads, best * 1e3, bytes / best / 1e9, best * 1e9 / ((double) layers * heads * n),
                    sum / reps * 1e3,
                    threads == 1 ? String.format(java.util.Locale.ROOT, ", best cpu %.2f ms, %d KB allocated per step", bestCpu * 1e3,
                            allocated / reps >> 10) : "",
                    Float.toHexString(out[0]));
        }
    }

    private static short[] halves(float[] x) {
        short[] h = new short[x.length];
        io.starspark.kernels.Half.toHalves(x, 0, h, 0, x.length);
        return h;
    }

    /** n standard normal values from r, as floats (also SwigluJitBench's inputs). */
    static float[] gaussian(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }
}
