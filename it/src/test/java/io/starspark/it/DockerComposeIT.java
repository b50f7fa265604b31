package io.starspark.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The cluster-check and golden star scenarios of {@link StarClusterIT} on docker/compose.yml (master,
 * 2 workers, a submit service). Skipped where no Docker engine exists; needs the jar built first (mvn package).
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeIT {

    /** Brings the compose cluster up with {@code env}, waits for {@code resultLine} from submit, returns its stdout. */
    private static String submitStdout(Map<String, String> env, String resultLine) {
        File compose = Project.root().resolve("docker/compose.yml").toFile();
        // local compose: the build context is the repository root (docker/compose.yml: context ..)
        try (ComposeContainer cluster = new ComposeContainer(compose)
                .withLocalCompose(true)
                .withBuild(true)
                .withEnv(env)
                .waitingFor("submit", Wait.forLogMessage(resultLine, 1).withStartupTimeout(Duration.ofMinutes(5)))) {
            cluster.start();
            ContainerState submit = cluster.getContainerByServiceName("submit-1").orElseThrow();
            return submit.getLogs(OutputFrame.OutputType.STDOUT);
        }
    }

    @Test
    void clusterCheckOnComposeCluster() throws Exception {
        Path data = Project.freshDir("compose-check");
        String stdout = submitStdout(Map.of("STARSPARK_CHECK_ARGS", String.join(" ", ClusterScenario.args(2)),
                "STARSPARK_SHARED", Project.shared().toString(), "STARSPARK_DATA", data.toString()),
                ".*\"expectedSum\".*\\n");
        ClusterScenario.verify(stdout, 2);
    }

    @Test
    void starGoldenOnComposeCluster() throws Exception {
        Path data = Project.freshDir("compose-star");
        StarScenario golden = StarScenario.golden();
        Files.writeString(data.resolve("context.txt"), golden.contextText());
        // paths as the containers see them: /shared (models) and /data (this directory)
        StarScenario.writeArgsFile(data.resolve("star.args"), golden.args("/shared/models/stories260K.gguf",
                "/data/context.txt", "file:///data/kv", "star", 2, List.of()));
        String stdout = submitStdout(Map.of("STARSPARK_CHECK_ARGS", "@/data/star.args",
                "STARSPARK_SHARED", Project.shared().toString(), "STARSPARK_DATA", data.toString()),
                ".*\"ids\".*\\n");
        golden.verify(stdout, 2);
    }
}
