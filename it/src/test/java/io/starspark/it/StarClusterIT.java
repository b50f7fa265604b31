package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Star Attention on a real standalone cluster (Master + 2 Workers, separate JVMs, one for the whole
 * class): the packaged application submitted with spark-submit prefills a multi-block document on
 * both executors; the answer equals the golden ids and an in-process {@code local[2]} run.
 */
class StarClusterIT {
    static final Duration SUBMIT_TIMEOUT = Duration.ofSeconds(180);
    static final List<String> CONFS = List.of("spark.executor.memory=768m");

    static StandaloneCluster cluster;
    static Path dir;
    static StarScenario golden;
    static Path goldenContext;

    @BeforeAll
    static void startCluster() throws IOException {
        dir = Project.freshDir("star-cluster");
        golden = StarScenario.golden();
        goldenContext = Files.writeString(dir.resolve("golden-context.txt"), golden.contextText());
        cluster = StandaloneCluster.start(dir.resolve("cluster"),
                new StandaloneCluster.Options(2, 1, "2g", false, Duration.ofSeconds(90)));
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static String stories() {
        return Project.shared().resolve("models/stories260K.gguf").toString();
    }

    static String kvDir(String name) {
        return dir.resolve(name).toUri().toString();
    }

    /** spark-submit on the cluster; asserts exit code 0. */
    static ProcessResult submit(List<String> args) throws IOException, InterruptedException {
        ProcessResult r = cluster.submit(Project.appJar(), ClusterScenario.MAIN_CLASS, CONFS, args, SUBMIT_TIMEOUT);
        assertEquals(0, r.exitCode(), "spark-submit failed; logs in " + cluster.dir() + "\n" + r.stderrTail());
        return r;
    }

    /** The same command through bin/starspark on local[2]; asserts exit code 0. */
    static JsonNode local(List<String> args) throws IOException, InterruptedException {
        ProcessResult r = Cli.run(Project.root(), SUBMIT_TIMEOUT, args);
        assertEquals(0, r.exitCode(), "local run failed: " + r.stderr());
        return StarScenario.result(r.stdout());
    }

    static List<String> withMaster(List<String> args, String master) {
        List<String> out = new java.util.ArrayList<>(args);
        out.addAll(List.of("--master", master));
        return out;
    }

    @Test
    void starOnTwoExecutorsEqualsGoldenAndLocal() throws Exception {
        ProcessResult r = submit(golden.args(stories(), goldenContext.toString(), kvDir("kv-star"), "star", 2, List.of()));
        JsonNode cluster = golden.verify(r.stdout(), 2);
        // the reference run goes through a picocli @file, as the docker compose IT passes its arguments
        Path argsFile = StarScenario.writeArgsFile(dir.resolve("local-star.args"), withMaster(
                golden.args(stories(), goldenContext.toString(), kvDir("kv-star-local"), "star", 1, List.of()), "local[2]"));
        JsonNode local = local(List.of("@" + argsFile));
        golden.verify(local.toString(), 1);
        assertEquals(StarScenario.ids(local), StarScenario.ids(cluster));
        System.out.printf("StarClusterIT star: submit %d ms, phase 1 %.2f s on %s%n", r.wallMillis(),
                cluster.get("stats").get("phase1_seconds").asDouble(), cluster.get("stats").get("executor_ids"));
    }

    @Test
    void sparseWithEveryPageEqualsStar() throws Exception {
        int pages = (golden.contextText().length() + StarScenario.PAGE_SIZE - 1) / StarScenario.PAGE_SIZE; // ≥ token pages
        List<String> budget = List.of("-c", "spark.starspark.sparse.topK=" + pages);
        ProcessResult r = submit(golden.args(stories(), goldenContext.toString(), kvDir("kv-sparse"), "sparse", 2, budget));
        JsonNode cluster = golden.verify(r.stdout(), 2);
        JsonNode local = local(withMaster(
                golden.args(stories(), goldenContext.toString(), kvDir("kv-sparse-local"), "sparse", 1, budget), "local[2]"));
        assertEquals(StarScenario.ids(local), StarScenario.ids(cluster));
    }

    @Test
    void sparseSmallBudgetFindsTheNeedle() throws Exception {
        Needle needle = Needle.make(3, 3000, 0.4);
        System.out.println("StarClusterIT needle seed " + needle.seed() + ": " + needle.key() + " -> " + needle.value());
        Path context = Files.writeString(dir.resolve("needle-context.txt"), needle.text());
        List<String> args = StarScenario.generateArgs(Needle.model().toString(), context.toString(), needle.question(), 1,
                kvDir("kv-needle"), "sparse", 512, 512, 64, 2, List.of("-c", "spark.starspark.sparse.topK=4"));
        ProcessResult r = submit(args);
        JsonNode cluster = StarScenario.result(r.stdout());
        JsonNode stats = cluster.get("stats");
        assertEquals(needle.value(), cluster.get("text").asText().strip(), "needle answer: " + cluster);
        assertEquals(2, stats.get("executors").asInt(), stats.toString());
        assertTrue(stats.get("blocks").asInt() > 2, "multi-block haystack: " + stats);
        JsonNode local = local(withMaster(StarScenario.generateArgs(Needle.model().toString(), context.toString(),
                needle.question(), 1, kvDir("kv-needle-local"), "sparse", 512, 512, 64, 1,
                List.of("-c", "spark.starspark.sparse.topK=4")), "local[2]"));
        assertEquals(StarScenario.ids(local), StarScenario.ids(cluster));
    }

    @Test
    void starWithKvOnHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, dir.resolve("minidfs").toString());
        MiniDFSCluster hdfs = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            hdfs.waitActive();
            String kv = "hdfs://127.0.0.1:" + hdfs.getNameNodePort() + "/kv";
            ProcessResult r = cluster.submit(Project.appJar(), ClusterScenario.MAIN_CLASS,
                    List.of("spark.executor.memory=768m", "spark.hadoop.dfs.replication=1"),
                    golden.args(stories(), goldenContext.toString(), kv, "star", 2, List.of()), SUBMIT_TIMEOUT);
            assertEquals(0, r.exitCode(), "spark-submit failed; logs in " + cluster.dir() + "\n" + r.stderrTail());
            JsonNode json = golden.verify(r.stdout(), 2);
            String root = json.get("stats").get("kv_root").asText();
            assertTrue(root.startsWith(kv + "/"), root);
            FileSystem fs = hdfs.getFileSystem();
            org.apache.hadoop.fs.Path doc = new org.apache.hadoop.fs.Path(java.net.URI.create(root).getPath());
            assertTrue(fs.exists(new org.apache.hadoop.fs.Path(doc, "manifest.json")), "no manifest.json under " + root);
            long files = 0;
            long bytes = 0;
            RemoteIterator<LocatedFileStatus> it = fs.listFiles(doc, true);
            while (it.hasNext()) {
                LocatedFileStatus f = it.next();
                files++;
                bytes += f.getLen();
            }
            assertTrue(files > 1, files + " files under " + root);
            assertTrue(bytes >= json.get("stats").get("kv_bytes_written").asLong(),
                    bytes + " bytes on HDFS < kv_bytes_written " + json.get("stats"));
        } finally {
            hdfs.shutdown(true);
        }
    }
}
