package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The documented route without spark-submit: {@code bin/starspark ... --master spark://HOST:PORT} against a
 * real standalone cluster (Master + 2 Workers as separate JVMs). The application jar must reach the
 * executors (spark.jars); without it every task failed with "unread block data". Spark settings given with
 * {@code -c} (here the executor memory) reach Spark.
 */
class BinStarsparkClusterIT {
    static final Duration TIMEOUT = Duration.ofSeconds(180);
    static final List<String> SPARK = List.of("-c", "spark.executor.memory=768m");

    static Path dir;
    static StandaloneCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        dir = Project.freshDir("bin-starspark-cluster");
        cluster = StandaloneCluster.start(dir.resolve("cluster"), StandaloneCluster.Options.twoWorkers());
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static ProcessResult run(List<String> args) throws IOException, InterruptedException {
        List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--master", cluster.masterUrl()));
        all.addAll(SPARK);
        ProcessResult r = Cli.run(Project.root(), TIMEOUT, all);
        assertEquals(0, r.exitCode(), "bin/starspark failed; cluster logs in " + cluster.dir() + "\n" + r.stderr());
        return r;
    }

    @Test
    void clusterCheckRunsOnBothExecutors() throws Exception {
        ClusterScenario.verify(run(ClusterScenario.args(2)).stdout(), 2);
    }

    @Test
    void starGenerateEqualsGolden() throws Exception {
        StarScenario golden = StarScenario.golden();
        Path context = Files.writeString(dir.resolve("golden-context.txt"), golden.contextText());
        List<String> args = golden.args(Project.shared().resolve("models/stories260K.gguf").toString(), context.toString(),
                dir.resolve("kv").toUri().toString(), "star", 2, List.of());
        golden.verify(run(args).stdout(), 2);
    }
}
