package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Master + 2 Workers as separate JVMs; the application jar submitted with spark-submit. */
class StandaloneClusterIT {

    @Test
    void clusterCheckUsesBothExecutorsWithoutOpenCl() throws Exception {
        Path dir = Project.freshDir("standalone");
        long start = System.nanoTime();
        try (StandaloneCluster cluster = StandaloneCluster.start(dir, StandaloneCluster.Options.workers(2).withoutOpenCl())) {
            long up = (System.nanoTime() - start) / 1_000_000;
            ProcessResult result = cluster.submit(Project.appJar(), ClusterScenario.MAIN_CLASS,
                    List.of("spark.executor.memory=512m"), ClusterScenario.args(2), Duration.ofSeconds(180));
            assertEquals(0, result.exitCode(), "spark-submit failed; logs in " + dir + "\n" + result.stderrTail());
            var json = ClusterScenario.verify(result.stdout(), 2);
            System.out.printf("StandaloneClusterIT: cluster up in %d ms, submit took %d ms, inside the driver %s (%s)%n",
                    up, result.wallMillis(), json.get("millis"), cluster);
        }
    }
}
