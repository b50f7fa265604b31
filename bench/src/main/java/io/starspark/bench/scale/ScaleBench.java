package io.starspark.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.workers.conf.JvmFlags;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Scale benchmark of phase 1 (Star Attention prefill) on a running standalone cluster (bench/run-scale.sh
 * starts one): for each case writes a synthetic N-token document, submits
 * {@code starspark generate --attention star --max-new-tokens 1} with spark-submit, and reports phase-1
 * tokens/s, per-executor peak heap, K/V bytes and wall times.
 */
@Command(name = "scale-bench", mixinStandardHelpOptions = true)
public final class ScaleBench implements Callable<Integer> {

    @Option(names = "--master", required = true, description = "spark://HOST:PORT of the running cluster")
    String master;

    @Option(names = "--root", defaultValue = ".", description = "project root (default: current directory)")
    Path root;

    @Option(names = "--model", description = "GGUF model (default: ROOT/../shared/models/stories260K.gguf)")
    Path model;

    @Option(names = "--case", paramLabel = "TOKENS:BLOCK:ANCHOR", split = ",",
            defaultValue = "65536:4096:4096,1000000:4096:4096", description = "cases (default ${DEFAULT-VALUE})")
    List<String> cases;

    @Option(names = "--page-size", defaultValue = "64")
    int pageSize;

    @Option(names = "--executors", defaultValue = "2", description = "executors to wait for (default ${DEFAULT-VALUE})")
    int executors;

    @Option(names = "--executor-memory", defaultValue = "1g", description = "spark.executor.memory (default ${DEFAULT-VALUE})")
    String executorMemory;

    @Option(names = "--driver-memory", defaultValue = "4g", description = "driver -Xmx (default ${DEFAULT-VALUE})")
    String driverMemory;

    @Option(names = "--kernels", defaultValue = "java")
    String kernels;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", description = "report file (default ROOT/bench/results/scale-<date>.txt)")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ScaleBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        root = root.toAbsolutePath().normalize();
        Path shared = root.resolve("../shared").normalize();
        Path modelPath = model != null ? model.toAbsolutePath() : shared.resolve("models/stories260K.gguf");
        List<String> words = ScaleDocument.fillerWords(shared.resolve("models/needle-retriever.gguf.vocab.json"));
        Path work = Files.createDirectories(root.resolve("bench/target/scale"));
        List<String> rows = new ArrayList<>();
        System.out.println(HEADER);
        for (String text : cases) {
            ScaleCase c = ScaleCase.parse(text);
            Path doc = ScaleDocument.write(work.resolve("doc-" + c.tokens() + ".txt"), c.tokens(), words, seed);
            Path kv = work.resolve("kv-" + c.tokens() + "-" + c.block() + "-" + c.anchor());
            delete(kv);
            String row = run(c, modelPath, doc, kv, work);
            System.out.println(row);
            rows.add(row);
            delete(kv); // 1M tokens of stories260K K/V is ~0.3 GB
        }
        write(rows, modelPath);
        return 0;
    }

    private String run(ScaleCase c, Path modelPath, Path doc, Path kv, Path work) throws IOException, InterruptedException {
        Path log = work.resolve("submit-" + c.tokens() + "-" + c.block() + "-" + c.anchor() + ".err");
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command(c, modelPath, doc, kv, work)).redirectError(log.toFile()).start();
        String stdout = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(2, TimeUnit.HOURS) || p.exitValue() != 0) {
            throw new IllegalStateException("spark-submit for " + c + " failed (exit " + p.exitValue() + "); see " + log);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String line = stdout.lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no JSON result from " + c + "; see " + log));
        return row(c, new ObjectMapper().readTree(line), wall);
    }

    private List<String> command(ScaleCase c, Path modelPath, Path doc, Path kv, Path work) throws IOException {
        Path sparkHome = root.resolve("driver/target/spark-home");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(JvmFlags.parse(Files.readAllLines(root.resolve("conf/jvm-flags"))));
        cmd.addAll(List.of("-Xmx" + driverMemory, "-Djava.io.tmpdir=" + Files.createDirectories(work.resolve("tmp")),
                "-cp", sparkHome.resolve("jars") + "/*", "org.apache.spark.deploy.SparkSubmit",
                "--master", master, "--deploy-mode", "client", "--class", "io.starspark.driver.Main",
                "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1",
                "--conf", "spark.ui.enabled=false", "--conf", "spark.executor.memory=" + executorMemory,
                "--conf", "spark.driver.maxResultSize=1g",
                "--conf", "spark.executor.extraJavaOptions=-Djava.io.tmpdir=" + work.resolve("tmp"),
                appJar().toString(), "generate", "--model", modelPath.toString(), "--context-file", doc.toString(),
                "--question", " and", "--max-new-tokens", "1", "--attention", "star",
                "--block-size", Integer.toString(c.block()), "--anchor-size", Integer.toString(c.anchor()),
                "--page-size", Integer.toString(pageSize), "--kv-dir", kv.toUri().toString(),
                "--expect-executors", Integer.toString(executors), "--json", "-c", "spark.starspark.kernels=" + kernels));
        return cmd;
    }

    private Path appJar() throws IOException {
        try (var files = Files.list(root.resolve("driver/target"))) {
            return files.filter(f -> f.getFileName().toString().matches("starspark-\\d.*\\.jar")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no driver/target/starspark-<version>.jar; run mvn package"));
        }
    }

    static final String HEADER = String.format(Locale.ROOT, "%9s %6s %6s %6s %5s %9s %11s %9s %12s %11s %9s %8s",
            "tokens", "block", "anchor", "blocks", "exec", "phase1_s", "tok/s", "retried", "peak_heap_MB",
            "kv_MB", "answer_s", "wall_s");

    static String row(ScaleCase c, JsonNode json, double wall) {
        JsonNode s = json.get("stats");
        return String.format(Locale.ROOT, "%9d %6d %6d %6d %5d %9.1f %11.0f %9d %12.0f %11.1f %9.2f %8.1f",
                json.get("context_tokens").asInt(), c.block(), s.get("anchor_size").asInt(), s.get("blocks").asInt(),
                s.get("executors").asInt(), s.get("phase1_seconds").asDouble(), s.get("phase1_tokens_per_second").asDouble(),
                s.get("retried_blocks").asInt(), s.get("executor_peak_heap_bytes").asLong() / 1048576.0,
                s.get("kv_bytes_written").asLong() / 1048576.0,
                s.get("question_seconds").asDouble() + s.get("decode_seconds").asDouble(), wall);
    }

    private void write(List<String> rows, Path modelPath) throws IOException {
        Path file = out != null ? out : root.resolve("bench/results/scale-" + LocalDate.now() + ".txt");
        Files.createDirectories(file.toAbsolutePath().getParent());
        try (PrintStream p = new PrintStream(Files.newOutputStream(file))) {
            p.printf("# starspark scale benchmark, %s: phase 1 (Star prefill) on %s, %d executors, spark.executor.memory=%s%n",
                    LocalDate.now(), master, executors, executorMemory);
            p.printf("# model %s, page %d, kernels %s, %d cores on this machine; peak_heap = max over blocks of the executor's"
                    + " heap-pool peaks; answer_s = question + 1 decoded token on the driver%n",
                    modelPath.getFileName(), pageSize, kernels, Runtime.getRuntime().availableProcessors());
            p.println(HEADER);
            rows.forEach(p::println);
        }
        System.out.println("written " + file);
    }

    private static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
