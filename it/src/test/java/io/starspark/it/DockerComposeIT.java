package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yml as the README tells users to run it: {@code docker compose up --build --abort-on-container-exit
 * --exit-code-from submit} with only the shared secret (and where the models and /data are) set. The submit service
 * runs the cluster self-check on both workers and the whole command exits with submit's code, 0.
 */
class DockerComposeIT {

    @Test
    void composeUpCompletesItsSubmitService() throws Exception {
        try (ComposeProject project = ComposeProject.create("docker-compose-up")) {
            ProcessResult r = project.compose(ComposeProject.COMMAND_TIMEOUT,
                    List.of("up", "--build", "--abort-on-container-exit", "--exit-code-from", "submit", "--no-color"));
            assertEquals(0, r.exitCode(), "docker compose up failed:\n" + r.stdout() + r.stderrTail());
            // compose prefixes each service's lines with "submit-1  | "
            String submit = r.stdout().lines().filter(l -> l.startsWith("submit-1"))
                    .map(l -> l.substring(l.indexOf('|') + 1).strip()).collect(Collectors.joining("\n"));
            ClusterScenario.verify(submit, 2);
        }
    }
}
