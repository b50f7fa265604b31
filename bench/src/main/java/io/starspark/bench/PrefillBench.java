package io.starspark.bench;

import io.starspark.kernels.DeviceBlocksKernels;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KvDtype;
import io.starspark.kernels.aparapi.AparapiKernels;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.synth.SyntheticModels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * End-to-end single-JVM prefill: Forward over T tokens (positions 0..T-1, empty cache, last logits)
 * with JavaKernels on all threads (and/or Aparapi on the OpenCL device), against the FLOP limit at the FMA
 * peak measured in the same run. Optional decode steps after the prefill (GEMV path) report tokens/s and
 * weight GB/s. Aparapi runs also report the bytes moved to and from the device per prefill: {@code aparapi} runs
 * the prefill device-resident (activations stay on the device across layers), {@code aparapi-calls} through the
 * per-op kernel calls (every op's inputs and outputs cross the bus), for comparison.
 * Args: [--shapes 110m,1b] [--dtypes f32,q8_0] [--kernels java,aparapi,aparapi-calls,device-blocks] [--tokens 2048] [--runs 3] [--decode N]
 * [--out DIR] [--kv f32|f16] (what the K/V cache holds, as {@code spark.starspark.kvDtype}).
 */
public final class PrefillBench {
    private static final long SEED = 42;
    private final List<String> rows = new ArrayList<>();
    private final BenchArgs a;
    private double peak;

    private PrefillBench(BenchArgs a) {
        this.a = a;
    }

    /** Parsed command line. */
    record BenchArgs(List<String> shapes, List<String> dtypes, List<String> kernels, int tokens, int runs, int decode,
                     Path out, KvDtype kv) {
        static BenchArgs parse(String[] args) {
            List<String> l = List.of(args);
            return new BenchArgs(List.of(opt(l, "--shapes", "110m,1b").split(",")),
                    List.of(opt(l, "--dtypes", "f32,q8_0").split(",")), List.of(opt(l, "--kernels", "java").split(",")),
                    Integer.parseInt(opt(l, "--tokens", "2048")), Integer.parseInt(opt(l, "--runs", "3")),
                    Integer.parseInt(opt(l, "--decode", "0")), Path.of(opt(l, "--out", "bench/results")),
                    KvDtype.valueOf(opt(l, "--kv", "f32").toUpperCase(Locale.ROOT)));
        }

        private static String opt(List<String> l, String name, String dflt) {
            int i = l.indexOf(name);
            return i >= 0 && i + 1 < l.size() ? l.get(i + 1) : dflt;
        }
    }

    public static void main(String[] args) throws Exception {
        new PrefillBench(BenchArgs.parse(args)).run();
    }

    private void run() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        line(String.format(Locale.ROOT, "machine: %d cores, vector lanes %d, java %s, load %s", cores,
                JavaKernels.vectorLanes(), System.getProperty("java.version"), loadAverage()));
        line(String.format(Locale.ROOT, "prefill T=%d, positions 0..T-1, empty cache, Logits.LAST, backends %s (java on %d"
                + " threads), 1 warm-up + best of %d runs", a.tokens(), a.kernels(), cores, a.runs()));
        List<Result> results = new ArrayList<>();
        for (String shape : a.shapes()) {
            for (String dtype : a.dtypes()) {
                for (String backend : a.kernels()) {
                    results.add(bench(shape, dtype, backend, cores));
                    System.gc();
                }
            }
        }
        measurePeak(cores);
        line(String.format(Locale.ROOT, "FMA peak (all threads): best of the measurements before each model and at the end:"
                + " %.1f GFLOP/s (a shared machine only lowers it)", peak));
        line(String.format(Locale.ROOT, "%-18s %8s %8s %8s %9s %7s %8s %9s", "model", "best s", "worst s", "tok/s",
                "GFLOP/s", "%peak", "x limit", "conv GF/s"));
        for (Result r : results) {
            report(r);
        }
        Files.createDirectories(a.out());
        Path file = a.out().resolve("prefill-" + LocalDate.now() + ".txt");
        Files.write(file, rows);
        System.out.println("written " + file);
    }

    /** One model's measurements: prefill seconds per run, last run's kernel seconds, decode line or null. */
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

    private record Result(String name, PrefillFlops f, double[] secs, Map<String, Double> kernels, String decode,
                          double peakBefore, String loadBefore) {
    }

    private double measurePeak(int cores) throws Exception {
        double now = FmaPeak.measure(cores, 10); // 10 × 0.3 s: more chances to catch a quiet moment
        peak = Math.max(peak, now);
        System.out.println(String.format(Locale.ROOT, "FMA peak now %.1f GFLOP/s (load %s)", now, loadAverage()));
        return now;
    }

    private static Kernels open(String backend, int cores) {
        switch (backend) {
            case "java":
                return new JavaKernels(cores);
            case "aparapi", "aparapi-calls":
                return AparapiKernels.create();
            case "device-blocks": // what kernels=auto gives on a GPU
                return new DeviceBlocksKernels(AparapiKernels.create(), new JavaKernels(cores));
            default:
                throw new IllegalArgumentException("--kernels takes java, aparapi, aparapi-calls and/or device-blocks"
                        + " (got " + backend + ")");
        }
    }

    private Result bench(String shape, String dtype, String backend, int cores) throws Exception {
        String load = loadAverage();
        double peakBefore = measurePeak(cores);
        LlamaModel model = LlamaModel.load(modelFile(shape, dtype));
        PrefillFlops f = PrefillFlops.of(model.config(), model.weights());
        int t = a.tokens();
        int[] tokens = new int[t];
        int[] positions = new int[t];
        for (int i = 0; i < t; i++) {
            tokens[i] = 1 + (int) ((i * 7919L) % (model.config().vocabSize() - 1));
            positions[i] = i;
        }
        Kernels kernels = open(backend, cores);
        AparapiKernels device = kernels instanceof AparapiKernels ap ? ap
                : kernels instanceof DeviceBlocksKernels d ? (AparapiKernels) d.device() : null;
        AutoCloseable closing = kernels instanceof DeviceBlocksKernels d
                ? () -> { device.close(); ((AutoCloseable) d.host()).close(); } : (AutoCloseable) kernels;
        try (closing) {
            TimingKernels timed = new TimingKernels(kernels, !backend.equals("aparapi-calls"));
            Forward fwd = new Forward(model, timed);
            double[] secs = new double[a.runs()];
            double cpuSecs = 0;
            KvCache cache = null;
            String traffic = null;
            for (int r = -1; r < a.runs(); r++) {
                // room for the prompt and the decode steps, as a request that knows its length (Generator): no
                // cache regrown in the first decode step (32 humongous arrays on the 1b shape, a G1 cycle each)
                cache = KvCache.forModel(model.config(), a.kv(), t + a.decode());
                AparapiKernels.Traffic before = device != null ? device.traffic() : null;
                Map<String, Double> opsBefore = device != null ? device.blockSeconds(false) : null;
                Map<String, Double> cpuBefore = device != null ? device.blockSeconds(true) : null;
                timed.reset();
                long c0 = OS.getProcessCpuTime();
                long t0 = System.nanoTime();
                fwd.forward(tokens, positions, cache, null, Logits.LAST);
                if (r >= 0) {
                    secs[r] = (System.nanoTime() - t0) / 1e9;
                    cpuSecs = (OS.getProcessCpuTime() - c0) / 1e9;
                }
                if (device != null) {
                    AparapiKernels ap = device;
                    AparapiKernels.Traffic m = ap.traffic().minus(before);
                    traffic = String.format(Locale.ROOT, "  device traffic per prefill (%s): weights uploaded %.1f MB,"
                            + " to device %.1f MB, from device %.1f MB (%d resident matrices, %d device-resident"
                            + " blocks)", r < 0 ? "first run" : "later runs", m.weightBytesUploaded() / 1e6,
                            m.bytesToDevice() / 1e6, m.bytesFromDevice() / 1e6, ap.residentMatrices(),
                            m.residentBlocks());
                    if (r < 0) {
                        System.out.println(traffic);
                    }
                    if (m.residentBlocks() > 0) {
                        StringBuilder ops = new StringBuilder("  device-resident block launches, s (process CPU s):");
                        Map<String, Double> cpu = ap.blockSeconds(true);
                        ap.blockSeconds(false).forEach((k, v) -> {
                            double d = v - opsBefore.get(k);
                            if (d > 0) {
                                ops.append(String.format(Locale.ROOT, " %s %.2f (%.2f)", k, d, cpu.get(k) - cpuBefore.get(k)));
                            }
                        });
                        traffic = traffic + "\n" + ops;
                    }
                }
            }
            Map<String, Double> prefillKernels = timed.seconds(); // the last prefill's, before decode resets them
            String dec = a.decode() > 0 ? decode(fwd, timed, cache, f, t, shape + " " + dtype) : null;
            if (traffic != null) {
                dec = dec == null ? traffic : traffic + "\n" + dec;
            }
            String name = shape + " " + dtype + " " + backend + (a.kv() == KvDtype.F16 ? " kv f16" : "");
            System.out.printf(Locale.ROOT, "%s: best %.2f s%n", name, Arrays.stream(secs).min().orElseThrow());
            String cpu = String.format(Locale.ROOT, "  last run: process CPU %.2f s (%.1f tokens per CPU second; other"
                    + " processes on a shared machine stretch wall time, much less CPU time)", cpuSecs, t / cpuSecs);
            return new Result(name, f, secs, prefillKernels, dec == null ? cpu : cpu + "\n" + dec, peakBefore, load);
        }
    }

    private void report(Result res) {
        int t = a.tokens();
        String name = res.name();
        PrefillFlops f = res.f();
        double[] secs = res.secs();
        Map<String, Double> kernels = res.kernels();
        double best = Arrays.stream(secs).min().orElseThrow();
        double worst = Arrays.stream(secs).max().orElseThrow();
        double gf = f.executed(0, t) / best / 1e9;
        line(String.format(Locale.ROOT, "%-18s %8.2f %8.2f %8.1f %9.1f %6.1f%% %8.2f %9.1f", name, best, worst,
                t / best, gf, 100 * gf / peak, peak / gf, f.conventional(t) / best / 1e9));
        double total = kernels.values().stream().mapToDouble(Double::doubleValue).sum();
        StringBuilder sb = new StringBuilder("  last run, s: ");
        kernels.forEach((k, v) -> {
            if (v > 0) {
                sb.append(String.format(Locale.ROOT, "%s %.2f  ", k, v));
            }
        });
        String attention = kernels.get("attention") > 0 ? String.format(Locale.ROOT, "attention %.1f GFLOP/s",
                f.attention(0, t) / kernels.get("attention") / 1e9) : "attention inside the device-resident block";
        line(sb.append(String.format(Locale.ROOT, "(kernels %.2f of %.2f; %s)", total, secs[secs.length - 1],
                attention)).toString());
        line(String.format(Locale.ROOT, "  load before %s; FMA peak measured just before %.1f GFLOP/s → %.2f x that limit",
                res.loadBefore(), res.peakBefore(), res.peakBefore() / gf));
        if (res.decode() != null) {
            line(res.decode());
        }
    }

    /**
     * Decode steps after the prefill: one token at a time against the growing cache. The first quarter (at least 2
     * steps) is not timed: the decode kernels (GEMV, decode attention) compile there, and their first steps ran
     * 2-3x slower in the per-kernel means.
     */
    private String decode(Forward fwd, TimingKernels timed, KvCache cache, PrefillFlops f, int past, String name) {
        int n = a.decode();
        int warm = Math.min(n, Math.max(2, n / 4));
        int[] tok = {1};
        double[] steps = new double[n - warm]; // seconds of steps warm.. n-1
        long allocated = 0;
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            fwd.forward(tok, new int[] {past + i}, cache, null, Logits.LAST);
            double s = (System.nanoTime() - t0) / 1e9;
            if (i == warm - 1) {
                timed.reset();
                allocated = allocatedBytes();
            }
            if (i >= warm) {
                steps[i - warm] = s;
            }
        }
        int timedSteps = n - warm;
        allocated = allocatedBytes() - allocated;
        double sum = Arrays.stream(steps).sum();
        double mean = sum / timedSteps;
        Arrays.sort(steps);
        double best = steps.length == 0 ? Double.MAX_VALUE : steps[0];
        double median = steps.length == 0 ? 0 : steps[steps.length / 2];
        double slowest = steps.length == 0 ? 0 : steps[steps.length - 1];
        long kvBytes = 2L * f.c().layers() * f.c().kvDim() * a.kv().bytes() * (past + n);
        double gbs = (f.weightBytes() + kvBytes) / best / 1e9;
        StringBuilder per = new StringBuilder();
        double kernelSecs = timed.seconds().values().stream().mapToDouble(Double::doubleValue).sum();
        timed.seconds().forEach((k, v) -> {
            if (v > 0) {
                per.append(String.format(Locale.ROOT, " %s %.1f", k, v * 1e3 / timedSteps));
            }
        });
        StringBuilder shapes = new StringBuilder();
        timed.matmulsByShape().forEach((k, v) -> shapes.append(String.format(Locale.ROOT,
                " %s %.2f ms %.1f GB/s;", k, v[0] / 1e6 / timedSteps, v[1] / (double) v[0])));
        return String.format(Locale.ROOT, "  decode %s after %d tokens (%d steps timed after %d): best %.1f ms (%.1f"
                + " tok/s), mean %.1f ms,"
                + " median %.1f, slowest %.1f;"
                + " weights+KV %.0f MB → %.1f GB/s at best; mean ms/token:%s, rest (outside the kernels) %.1f;"
                + " allocated %.1f KB per step (all threads: boxed vectors show here)%n"
                + "  decode matmuls by shape (rows×cols; mean ms per token, GB/s of weights while in the call):%s", name,
                past, timedSteps, warm, best * 1e3, 1 / best, mean * 1e3, median * 1e3, slowest * 1e3,
                (f.weightBytes() + kvBytes) / 1e6, gbs, per,
                (sum - kernelSecs) * 1e3 / timedSteps, allocated / 1024.0 / timedSteps, shapes);
    }

    /** Bytes allocated so far by the threads alive now (the caller and the kernels' pool). */
    private static long allocatedBytes() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean)
                java.lang.management.ManagementFactory.getThreadMXBean();
        return Arrays.stream(mx.getThreadAllocatedBytes(mx.getAllThreadIds())).filter(b -> b > 0).sum();
    }

    /** bench/target/models/SHAPE-DTYPE-seedS.gguf, written once and reused. */
    private static Path modelFile(String shape, String dtype) throws Exception {
        Path dir = Path.of("bench/target/models");
        Files.createDirectories(dir);
        Path file = dir.resolve(shape + "-" + dtype + "-seed" + SEED + ".gguf");
        if (!Files.exists(file)) {
            System.out.println("writing " + file + " ...");
            Path tmp = dir.resolve(file.getFileName() + ".tmp");
            SyntheticModels.write(shape, dtype, SEED, tmp);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        return file;
    }

    private static String loadAverage() {
        double l = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        return String.format(Locale.ROOT, "%.2f", l);
    }

    private void line(String s) {
        System.out.println(s);
        rows.add(s);
    }
}
