package io.starspark.it;

import java.io.File;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The same scenario as {@link StandaloneClusterIT} on docker/compose.yml (master, 2 workers, a submit
 * service). Skipped where no Docker engine exists; needs the jar built first (mvn package).
 */
@Testcontainers(disabledWithoutDocker = true)
class DockerComposeIT {

    @Test
    void clusterCheckOnComposeCluster() throws Exception {
        File compose = Project.root().resolve("docker/compose.yml").toFile();
        // local compose: the build context is the repository root (docker/compose.yml: context ..)
        try (ComposeContainer env = new ComposeContainer(compose)
                .withLocalCompose(true)
                .withBuild(true)
                .withEnv("STARSPARK_CHECK_ARGS", String.join(" ", ClusterScenario.args(2)))
                .waitingFor("submit", Wait.forLogMessage(".*\"expectedSum\".*\\n", 1)
                        .withStartupTimeout(Duration.ofMinutes(5)))) {
            env.start();
            ContainerState submit = env.getContainerByServiceName("submit-1").orElseThrow();
            ClusterScenario.verify(submit.getLogs(OutputFrame.OutputType.STDOUT), 2);
        }
    }
}
