package io.starspark.bench;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockMatrix;
import io.starspark.kernels.BlockType;
import io.starspark.kernels.F16Matrix;
import io.starspark.kernels.F32Matrix;
import io.starspark.kernels.Half;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Q8Matrix;
import io.starspark.kernels.aparapi.AparapiKernels;
import io.starspark.kernels.jvm.JavaKernels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Kernel benchmarks against the FMA peak measured in the same run: GEMM at prefill shapes and one
 * attention block, per backend. Prints a table and writes it to bench/results/kernels-DATE.txt.
 * Args: [--quick] [--tiny] [--no-aparapi] [--no-java] [--gemm-tokens T] [--gpu-mhz MHZ] [--out DIR] [--quants].
 * {@code --tiny}: small shapes for a dry run (GEMM T=64 256×256, attention 128q × 256k), not for numbers.
 * {@code --gpu-mhz}: the GPU's max SM clock; with the device's compute units it gives the FP32 peak that
 * aparapi rows on a GPU are quoted against (assumes 128 FP32 lanes per compute unit, NVIDIA Ampere to Hopper).
 * {@code --quants} runs only the weight-type table: every tensor type at 2048x2048, T=1 (GEMV: also GB/s of
 * weight bytes streamed) and T=512, on the Java backend with all cores.
 */
public final class KernelBench {
    private final List<String> rows = new ArrayList<>();
    private final boolean quick;
    private final boolean tiny;
    private int gemmTokens = 512;
    private double gpuMhz;
    private double peak1;
    private double peakAll;

    private KernelBench(boolean quick, boolean tiny) {
        this.quick = quick;
        this.tiny = tiny;
    }

    public static void main(String[] args) throws Exception {
        boolean quick = List.of(args).contains("--quick");
        boolean aparapi = !List.of(args).contains("--no-aparapi");
        boolean java = !List.of(args).contains("--no-java");
        int outIdx = List.of(args).indexOf("--out");
        Path outDir = Path.of(outIdx >= 0 ? args[outIdx + 1] : "bench/results");
        KernelBench b = new KernelBench(quick, List.of(args).contains("--tiny"));
        int gt = List.of(args).indexOf("--gemm-tokens");
        if (gt >= 0) {
            b.gemmTokens = Integer.parseInt(args[gt + 1]);
        }
        int mhz = List.of(args).indexOf("--gpu-mhz");
        if (mhz >= 0) {
            b.gpuMhz = Double.parseDouble(args[mhz + 1]);
        }
        if (List.of(args).contains("--quants")) {
            b.quantsOnly(outDir);
        } else {
            b.run(java, aparapi, outDir);
        }
    }

    private void run(boolean withJava, boolean withAparapi, Path outDir) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        peak1 = FmaPeak.measure(1, 3);
        peakAll = FmaPeak.measure(cores, 3);
        line(String.format(Locale.ROOT, "machine: %d cores, vector lanes %d, java %s", cores,
                JavaKernels.vectorLanes(), System.getProperty("java.version")));
        line(String.format(Locale.ROOT, "FMA peak measured: 1 thread %.1f GFLOP/s, %d threads %.1f GFLOP/s",
                peak1, cores, peakAll));
        line(String.format(Locale.ROOT, "%-34s %-24s %8s %10s %7s", "benchmark", "backend", "ms", "GFLOP/s", "%peak"));
        if (withJava) {
            try (JavaKernels one = new JavaKernels(1); JavaKernels all = new JavaKernels(cores)) {
                gemms(one, "java 1 thread", peak1);
                gemms(all, "java " + cores + " threads", peakAll);
                attention(one, "java 1 thread", peak1);
                attention(all, "java " + cores + " threads", peakAll);
            }
        }
        if (withAparapi) {
            try (AparapiKernels ap = AparapiKernels.create()) {
                String name = "aparapi " + ap.deviceName().replace("pthread-", "").substring(0, Math.min(14, ap.deviceName().length()));
                double peak = peakAll;
                com.aparapi.device.OpenCLDevice d = io.starspark.kernels.aparapi.OpenClDevices.device();
                if (d.getType() == com.aparapi.device.Device.TYPE.GPU && gpuMhz > 0) {
                    peak = d.getMaxComputeUnits() * 128 * 2 * gpuMhz / 1000;
                    line(String.format(Locale.ROOT, "GPU %s: %d compute units x 128 lanes x 2 x %.0f MHz = FP32 peak %.0f GFLOP/s"
                            + " (aparapi rows below: %%peak of this)", d.getName().trim(), d.getMaxComputeUnits(), gpuMhz, peak));
                }
                gemms(ap, name, peak);
                attention(ap, name, peak);
                AparapiKernels.Traffic t = ap.traffic();
                line(String.format(Locale.ROOT, "aparapi traffic over all runs: weights uploaded %.1f MB, to device %.1f MB,"
                        + " from device %.1f MB (each matmul call moves x in and out back; calls time transfers too)",
                        t.weightBytesUploaded() / 1e6, t.bytesToDevice() / 1e6, t.bytesFromDevice() / 1e6));
            } catch (IllegalStateException e) {
                line("aparapi: not run (" + e.getMessage() + ")");
            }
        }
        Files.createDirectories(outDir);
        Path file = outDir.resolve("kernels-" + LocalDate.now() + ".txt");
        Files.write(file, rows);
        System.out.println("written " + file);
    }

    private void quantsOnly(Path outDir) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        peakAll = FmaPeak.measure(cores, 3);
        line(String.format(Locale.ROOT, "machine: %d cores, vector lanes %d, java %s; FMA peak measured: %d threads %.1f GFLOP/s",
                cores, JavaKernels.vectorLanes(), System.getProperty("java.version"), cores, peakAll));
        line(String.format(Locale.ROOT, "%-34s %-24s %8s %10s %7s %8s", "benchmark", "backend", "ms", "GFLOP/s", "%peak", "GB/s"));
        SplittableRandom rnd = new SplittableRandom(1);
        int n = 2048;
        float[] w = randomArray(rnd, n * n);
        List<Matrix> types = new ArrayList<>();
        types.add(new F32Matrix(w, n, n));
        short[] h = new short[w.length];
        byte[] q = new byte[w.length];
        for (int i = 0; i < w.length; i++) {
            h[i] = Half.fromFloat(w[i]);
            q[i] = (byte) (w[i] * 127);
        }
        types.add(new F16Matrix(h, n, n));
        types.add(new Q8Matrix(q, randomArray(rnd, w.length / 32), n, n));
        for (BlockType t : BlockType.values()) {
            types.add(BlockMatrix.quantize(t, w, n, n));
        }
        try (JavaKernels all = new JavaKernels(cores)) {
            for (Matrix m : types) {
                for (int t : new int[] {1, 512}) {
                    double sec = gemm(all, "java " + cores + " threads", peakAll, m, t);
                    if (t == 1) {
                        this.rows.set(this.rows.size() - 1, this.rows.get(this.rows.size() - 1)
                                + String.format(Locale.ROOT, " %8.1f", m.bytes() / sec / 1e9));
                        System.out.println("  (GB/s of weight bytes: " + String.format(Locale.ROOT, "%.1f", m.bytes() / sec / 1e9) + ")");
                    }
                }
            }
        }
        Files.createDirectories(outDir);
        Path file = outDir.resolve("kernels-quants-" + LocalDate.now() + ".txt");
        Files.write(file, rows);
        System.out.println("written " + file);
    }

    private void gemms(Kernels k, String backend, double peak) {
        int t = tiny ? 64 : gemmTokens;
        SplittableRandom rnd = new SplittableRandom(1);
        for (int[] s : tiny ? new int[][] {{256, 256}} : new int[][] {{2048, 2048}, {8192, 2048}}) {
            float[] w = randomArray(rnd, s[0] * s[1]);
            gemm(k, backend, peak, new F32Matrix(w, s[0], s[1]), t);
            if (!quick || backend.startsWith("aparapi")) {
                short[] h = new short[w.length];
                byte[] q = new byte[w.length];
                for (int i = 0; i < w.length; i++) {
                    h[i] = Half.fromFloat(w[i]);
                    q[i] = (byte) (w[i] * 127);
                }
                gemm(k, backend, peak, new F16Matrix(h, s[0], s[1]), t);
                gemm(k, backend, peak, new Q8Matrix(q, randomArray(rnd, w.length / 32), s[0], s[1]), t);
            }
        }
    }

    /** Times one matmul shape; returns the best time in seconds. */
    private double gemm(Kernels k, String backend, double peak, Matrix w, int t) {
        float[] x = randomArray(new SplittableRandom(2), t * w.cols());
        float[] out = new float[t * w.rows()];
        double flops = 2.0 * t * w.rows() * w.cols();
        double sec = time(() -> k.matmul(out, x, w, t), flops);
        String dtype = w instanceof BlockMatrix b ? b.type().toString() : w.getClass().getSimpleName().replace("Matrix", "");
        report(String.format(Locale.ROOT, "gemm %s T=%d %dx%d", dtype, t, w.rows(), w.cols()), backend, sec, flops, peak);
        return sec;
    }

    private void attention(Kernels k, String backend, double peak) {
        int tokens = tiny ? 128 : quick ? 1024 : 4096;
        int keys = tiny ? 256 : quick ? 2048 : 8192;
        int hd = 64;
        AttentionShape s = AttentionShape.full(tokens, keys, 1, 1, hd);
        SplittableRandom rnd = new SplittableRandom(3);
        float[] q = randomArray(rnd, tokens * hd);
        float[] kk = randomArray(rnd, keys * hd);
        float[] v = randomArray(rnd, keys * hd);
        float[] out = new float[tokens * hd];
        float[] lse = new float[tokens];
        double flops = 4.0 * tokens * keys * hd;
        double sec = time(() -> k.attention(s, q, kk, v, out, lse), flops);
        report(String.format(Locale.ROOT, "attn full %dq x %dk hd%d h1", tokens, keys, hd), backend, sec, flops, peak);
    }

    /** Best of several runs after warmup; total work bounded to a few seconds. */
    private static double time(Runnable r, double flops) {
        r.run();
        r.run();
        double best = Double.MAX_VALUE;
        long start = System.nanoTime();
        for (int i = 0; i < 10 && (i < 3 || System.nanoTime() - start < 3e9); i++) {
            long t0 = System.nanoTime();
            r.run();
            best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        }
        return best;
    }

    private void report(String bench, String backend, double sec, double flops, double peak) {
        double gf = flops / sec / 1e9;
        line(String.format(Locale.ROOT, "%-34s %-24s %8.1f %10.1f %6.1f%%", bench, backend, sec * 1e3, gf, 100 * gf / peak));
    }

    private void line(String s) {
        System.out.println(s);
        rows.add(s);
    }

    private static float[] randomArray(SplittableRandom rnd, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextDouble() * 2 - 1);
        }
        return a;
    }
}
