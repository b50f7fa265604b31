package io.starspark.bench;

import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.jvm.JavaKernels;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Decode GEMV (one token, {@code JavaKernels.matmul} with T = 1) on weight matrices of ~{@code MB} MB each, far
 * larger than the caches, so every call streams its weights from memory: GB/s = {@link Matrix#bytes()} / time,
 * against the triad bandwidth ({@link Triad}) measured in the same JVM before and after. 2048 columns (the 1b
 * shape's hidden size) unless given (the family shapes' are 128: per-row costs show there). Quantized matrices repeat one 256-row block of quantized gaussian weights (the bytes, not
 * their values, are what is timed).
 * Usage: {@code bench/run-java.sh 6g io.starspark.bench.GemvBench [threads (2)] [MB (128)] [calls (12)] [types] [cols (2048)]},
 * types e.g. {@code f32,f16,q8_0,q4_k,q6_k} (the default). Prints one line per type: best and median GB/s, % of triad,
 * and GB/s per second of the calling thread's CPU time (on 1 thread: the kernel's speed while it held a core, which
 * holds up on a loaded machine).
 */
public final class GemvBench {
    /** On one thread (the work runs on the caller) CPU time excludes the time other processes hold the core. */
    private static final java.lang.management.ThreadMXBean THREAD_CPU = java.lang.management.ManagementFactory.getThreadMXBean();

    private GemvBench() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int mb = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        List<String> types = Arrays.asList((args.length > 3 ? args[3] : "f32,f16,q8_0,q4_k,q6_k").split(","));
        int cols = args.length > 4 ? Integer.parseInt(args[4]) : 2048;
        long seed = 3;
        SplittableRandom r = new SplittableRandom(seed);
        double triadBefore = Triad.measure(threads, 5);
        System.out.printf(Locale.ROOT, "gemv 1 token x %d cols, ~%d MB per matrix, %d threads, best/median of %d calls,"
                + " seed %d; triad before %.1f GB/s%n", cols, mb, threads, calls, seed, triadBefore);
        try (JavaKernels kernels = new JavaKernels(threads)) {
            for (String type : types) {
                Matrix m = matrix(type, (long) mb << 20, cols, r);
                float[] x = new float[cols];
                for (int i = 0; i < cols; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                float[] out = new float[m.rows()];
                double[] secs = new double[calls];
                double[] cpu = new double[calls];
                for (int i = 0; i < 3; i++) {
                    kernels.matmul(out, x, m, 1);
                }
                for (int i = 0; i < calls; i++) {
                    long c0 = THREAD_CPU.getCurrentThreadCpuTime();
                    long t0 = System.nanoTime();
                    kernels.matmul(out, x, m, 1);
                    secs[i] = (System.nanoTime() - t0) / 1e9;
                    cpu[i] = (THREAD_CPU.getCurrentThreadCpuTime() - c0) / 1e9;
                }
                Arrays.sort(secs);
                Arrays.sort(cpu);
                double best = m.bytes() / secs[0] / 1e9;
                double median = m.bytes() / secs[calls / 2] / 1e9;
                System.out.printf(Locale.ROOT, "%-6s %6d rows %7.1f MB  best %6.2f GB/s  median %6.2f GB/s  (%.0f%% / %.0f%% of triad)"
                        + "  calling thread's CPU time: best %6.2f GB/s, median %6.2f%n",
                        type, m.rows(), m.bytes() / 1e6, best, median, 100 * best / triadBefore, 100 * median / triadBefore,
                        m.bytes() / cpu[0] / 1e9, m.bytes() / cpu[calls / 2] / 1e9);
            }
        }
        double triadAfter = Triad.measure(threads, 5);
        System.out.printf(Locale.ROOT, "triad after %.1f GB/s%n", triadAfter);
    }

    private static Matrix matrix(String type, long bytes, int cols, SplittableRandom r) {
        float[] block = new float[256 * cols];
        for (int i = 0; i < block.length; i++) {
            block[i] = (float) (0.02 * r.nextGaussian());
        }
        switch (type) {
            case "f32" -> {
                int rows = (int) (bytes / (4L * cols));
                float[] data = new float[rows * cols];
                for (int i = 0; i < data.length; i++) {
                    data[i] = block[i % block.length];
                }
                return new F32Matrix(data, rows, cols);
            }
            case "f16" -> {
                int rows = (int) (bytes / (2L * cols));
                short[] data = new short[rows * cols];
                for (int i = 0; i < data.length; i++) {
                    data[i] = Half.fromFloat(block[i % block.length]);
                }
                return new F16Matrix(data, rows, cols);
            }
            case "q8_0" -> {
                int rows = (int) (bytes / (cols + 4L * cols / Q8Matrix.BLOCK));
                byte[] q = new byte[rows * cols];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (byte) (r.nextInt(255) - 127);
                }
                float[] scales = new float[rows * cols / Q8Matrix.BLOCK];
                Arrays.fill(scales, 0.01f);
                return new Q8Matrix(q, scales, rows, cols);
            }
            default -> {
                BlockType t = BlockType.valueOf(type.toUpperCase(Locale.ROOT));
                byte[] one = BlockMatrix.quantize(t, block, 256, cols).data();
                int rows = (int) (bytes / t.rowBytes(cols)) / 256 * 256;
                byte[] data = new byte[rows * t.rowBytes(cols)];
                for (int at = 0; at < data.length; at += one.length) {
                    System.arraycopy(one, 0, data, at, one.length);
                }
                return new BlockMatrix(t, data, rows, cols);
            }
        }
    }
}
