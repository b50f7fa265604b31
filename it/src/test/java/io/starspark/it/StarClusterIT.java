package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.driver.eval.Haystack;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A real standalone cluster (Master + 2 Workers as separate JVMs, OpenCL hidden, one cluster for the
 * whole class) running the packaged application submitted with spark-submit: the cluster self-check,
 * then Star Attention prefilling multi-block documents on both executors, with answers equal to the
 * golden ids and to a {@code local[2]} run of bin/starspark, and K/V on file:// and on HDFS.
 * The {@code local[2]} reference runs go on in the background while the cluster starts and works.
 */
class StarClusterIT {
    static final Duration TIMEOUT = Duration.ofSeconds(180);
    /** The batch job: 3 documents (one twice, by path), 5 questions, a Spark SQL read and write on top. */
    static final Duration BATCH_TIMEOUT = Duration.ofSeconds(420);
    static final List<String> CONFS = List.of("spark.executor.memory=768m", "spark.hadoop.dfs.replication=1");
    static final List<String> NEEDLE_BUDGET = List.of("-c", "spark.starspark.sparse.topK=4");

    static Path dir;
    static StarScenario golden;
    static Path goldenContext;
    static final Path NEEDLE_MODEL = Project.shared().resolve("models/needle-retriever.gguf");
    static Haystack needle;
    static Path needleContext;
    static ExecutorService background;
    static CompletableFuture<JsonNode> localStar;
    static CompletableFuture<JsonNode> localNeedle;
    static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        dir = Project.freshDir("star-cluster");
        golden = StarScenario.golden();
        goldenContext = Files.writeString(dir.resolve("golden-context.txt"), golden.contextText());
        needle = Haystack.make(Path.of(NEEDLE_MODEL + ".vocab.json"), 3, 3000, 0.4);
        System.out.println("StarClusterIT needle seed " + needle.seed() + ": " + needle.key() + " -> " + needle.value());
        needleContext = Files.writeString(dir.resolve("needle-context.txt"), needle.text());
        background = Executors.newSingleThreadExecutor();
        // the reference goes through a picocli @file, as the docker compose IT passes its arguments
        Path starArgs = StarScenario.writeArgsFile(dir.resolve("local-star.args"),
                local(goldenArgs(kvDir("kv-star-local"), "star", 1, List.of())));
        localStar = reference(List.of("@" + starArgs));
        localNeedle = reference(local(needleArgs(kvDir("kv-needle-local"), 1)));
        cluster = StandaloneCluster.start(dir.resolve("cluster"), StandaloneCluster.Options.twoWorkers());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
    }

    static List<String> goldenArgs(String kvDir, String attention, int executors, List<String> extra) {
        return golden.args(Project.shared().resolve("models/stories260K.gguf").toString(), goldenContext.toString(), kvDir,
                attention, executors, extra);
    }

    /** Sparse, 512-token blocks (6 blocks), 64-token pages, 4 pages per layer and KV head. */
    static List<String> needleArgs(String kvDir, int executors) {
        return StarScenario.generateArgs(NEEDLE_MODEL.toString(), needleContext.toString(), needle.question(), 1, kvDir,
                "sparse", 512, 512, 64, executors, NEEDLE_BUDGET);
    }

    static String kvDir(String name) {
        return dir.resolve(name).toUri().toString();
    }

    static List<String> local(List<String> args) {
        List<String> out = new ArrayList<>(args);
        out.addAll(List.of("--master", "local[2]"));
        return out;
    }

    /** bin/starspark ARGS in the background; the future fails unless it exits with 0. */
    static CompletableFuture<JsonNode> reference(List<String> args) {
        return Cli.runInBackground(background, TIMEOUT, args, r -> StarScenario.result(r.stdout()));
    }

    /** spark-submit on the cluster; asserts exit code 0. */
    static ProcessResult submit(List<String> args) throws IOException, InterruptedException {
        ProcessResult r = cluster.submit(Project.appJar(), ClusterScenario.MAIN_CLASS, CONFS, args, TIMEOUT);
        assertEquals(0, r.exitCode(), "spark-submit failed; logs in " + cluster.dir() + "\n" + r.stderrTail());
        return r;
    }

    @Test
    void clusterCheckUsesBothExecutors() throws Exception {
        ProcessResult r = submit(ClusterScenario.args(2));
        JsonNode json = ClusterScenario.verify(r.stdout(), 2);
        System.out.printf("StarClusterIT cluster-check: submit %d ms, inside the driver %s (%s)%n", r.wallMillis(),
                json.get("millis"), cluster);
    }

    @Test
    void starOnTwoExecutorsEqualsGoldenAndLocal() throws Exception {
        ProcessResult r = submit(goldenArgs(kvDir("kv-star"), "star", 2, List.of()));
        JsonNode onCluster = golden.verify(r.stdout(), 2);
        JsonNode local = localStar.join();
        golden.verify(local.toString(), 1);
        assertEquals(StarScenario.ids(local), StarScenario.ids(onCluster));
        System.out.printf("StarClusterIT star: submit %d ms, phase 1 %.2f s on executors %s%n", r.wallMillis(),
                onCluster.get("stats").get("phase1_seconds").asDouble(), onCluster.get("stats").get("executor_ids"));
    }

    /** {@code run} through spark-submit: every row equals a {@code local[2]} run of the same input, answered on the executors. */
    @Test
    void batchRunOnTwoExecutorsEqualsLocal() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<String> rows = List.of(
                json.writeValueAsString(java.util.Map.of("id", "lily", "document", golden.contextText(),
                        "questions", List.of(" Lily", " Her mom"))),
                json.writeValueAsString(java.util.Map.of("id", "tom", "document_path", goldenContext.toString(),
                        "questions", List.of(" Tom"))),
                json.writeValueAsString(java.util.Map.of("id", "sue", "document",
                        "Sue saw a big cat. The cat sat on the mat and Sue laughed.", "questions", List.of(" Sue", " The"))));
        Path input = Files.write(dir.resolve("batch.jsonl"), rows);
        List<String> common = List.of("run", "--model", Project.shared().resolve("models/stories260K.gguf").toString(),
                "--input", input.toString(), "--block-size", "64", "--anchor-size", "64", "--page-size", "16",
                "--max-new-tokens", "16", "--kernels", "java", "--quiet", "--json");
        List<String> local = new ArrayList<>(common);
        local.addAll(List.of("--output", dir.resolve("batch-local").toString(), "--kv-dir", kvDir("kv-batch-local"),
                "--master", "local[2]"));
        ProcessResult l = Cli.run(Project.root(), BATCH_TIMEOUT, local);
        assertEquals(0, l.exitCode(), "local run failed: " + l.stderr());
        List<String> onCluster = new ArrayList<>(common);
        onCluster.addAll(List.of("--output", dir.resolve("batch-cluster").toString(), "--kv-dir", kvDir("kv-batch-cluster"),
                "--expect-executors", "2"));
        ProcessResult r = cluster.submit(Project.appJar(), ClusterScenario.MAIN_CLASS, CONFS, onCluster, BATCH_TIMEOUT);
        assertEquals(0, r.exitCode(), "spark-submit failed; logs in " + cluster.dir() + "\n" + r.stderrTail());
        List<JsonNode> localRows = partRows(json, dir.resolve("batch-local"));
        List<JsonNode> clusterRows = partRows(json, dir.resolve("batch-cluster"));
        assertEquals(5, clusterRows.size());
        java.util.Set<String> answeredOn = new java.util.TreeSet<>();
        for (int i = 0; i < 5; i++) {
            JsonNode c = clusterRows.get(i);
            assertTrue(!c.has("error"), c.toString());
            assertEquals(localRows.get(i).get("id"), c.get("id"));
            assertEquals(localRows.get(i).get("question"), c.get("question"));
            assertEquals(localRows.get(i).get("ids"), c.get("ids"), "row " + i + " cluster = local[2]");
            answeredOn.add(c.get("stats").get("answered_on").asText());
        }
        assertTrue(answeredOn.stream().allMatch(e -> e.startsWith("executor ") && !e.equals("executor driver")),
                answeredOn.toString());
        System.out.printf("StarClusterIT batch run: submit %d ms, answered on %s%n", r.wallMillis(), answeredOn);
    }

    /** The rows of a {@code run} output folder (one JSON part file beside _SUCCESS). */
    static List<JsonNode> partRows(ObjectMapper json, Path output) throws IOException {
        assertTrue(Files.exists(output.resolve("_SUCCESS")), "no _SUCCESS in " + output);
        List<JsonNode> rows = new ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(output)) {
            for (Path part : files.filter(f -> f.getFileName().toString().startsWith("part-")).sorted().toList()) {
                for (String line : Files.readAllLines(part)) {
                    rows.add(json.readTree(line));
                }
            }
        }
        return rows;
    }

    @Test
    void sparseWithEveryPageEqualsStar() throws Exception {
        int pages = (golden.contextText().length() + StarScenario.PAGE_SIZE - 1) / StarScenario.PAGE_SIZE; // ≥ token pages
        ProcessResult r = submit(goldenArgs(kvDir("kv-sparse"), "sparse", 2,
                List.of("-c", "spark.starspark.sparse.topK=" + pages)));
        golden.verify(r.stdout(), 2); // the golden star ids: exact when every page is selected
    }

    @Test
    void sparseSmallBudgetFindsTheNeedle() throws Exception {
        ProcessResult r = submit(needleArgs(kvDir("kv-needle"), 2));
        JsonNode onCluster = StarScenario.result(r.stdout());
        JsonNode stats = onCluster.get("stats");
        assertEquals(needle.value(), onCluster.get("text").asText().strip(), "needle answer: " + onCluster);
        assertEquals(2, stats.get("executors").asInt(), stats.toString());
        int contextTokens = onCluster.get("context_tokens").asInt();
        assertTrue(contextTokens > 2 * 512, "a haystack of several blocks: " + stats);
        assertEquals((contextTokens + 511) / 512, stats.get("blocks").asInt(), stats.toString());
        assertEquals((contextTokens + 63) / 64, stats.get("pages").asInt(), stats.toString());
        assertEquals(StarScenario.ids(localNeedle.join()), StarScenario.ids(onCluster));
    }

    @Test
    void starWithKvOnHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("minidfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            hdfs.waitActive();
            String kv = "hdfs://127.0.0.1:" + hdfs.getNameNodePort() + "/kv";
            JsonNode json = golden.verify(submit(goldenArgs(kv, "star", 2, List.of())).stdout(), 2);
            String root = json.get("stats").get("kv_root").asText();
            assertTrue(root.startsWith(kv + "/"), root);
            FileSystem fs = hdfs.getFileSystem();
            org.apache.hadoop.fs.Path doc = new org.apache.hadoop.fs.Path(URI.create(root).getPath());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(doc, "manifest.json")), "no manifest.json under " + root);
            // exactly one file per block plus the manifest; each block file takes exactly what the K/V layout says
            // (its K/V padded to whole pages, header, CRCs and page summaries: KvLayout.blockFileBytes)
            int blocks = json.get("stats").get("blocks").asInt();
            int contextTokens = json.get("context_tokens").asInt();
            java.util.Set<String> names = new java.util.TreeSet<>();
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(doc, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                String name = f.getPath().toUri().getPath().substring(doc.toUri().getPath().length() + 1);
                names.add(name);
                if (name.startsWith("blocks/")) {
                    int block = Integer.parseInt(name.substring("blocks/block-".length(), name.length() - ".kv".length()));
                    int kept = Math.min(golden.blockSize(), contextTokens - block * golden.blockSize());
                    assertEquals(StarScenario.LAYOUT.blockFileBytes(kept), f.getLen(), name + " of " + kept + " tokens");
                }
            }
            java.util.Set<String> expected = new java.util.TreeSet<>();
            expected.add("manifest.json");
            for (int b = 0; b < blocks; b++) {
                expected.add(String.format("blocks/block-%06d.kv", b));
            }
            assertEquals(expected, names, "files under " + root);
        } finally {
            hdfs.shutdown(true);
        }
    }
}
