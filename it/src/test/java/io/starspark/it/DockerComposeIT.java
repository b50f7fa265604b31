package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docker/compose.yml as the README tells users to run it: {@code docker compose up --build --abort-on-container-exit
 * --exit-code-from submit} with only the shared secret (and where the models and /data are) set. The submit service
 * runs the cluster self-check on both workers and the whole command exits with submit's code, 0.
 */
class DockerComposeIT {
    static final Pattern SUBMIT_LINE = Pattern.compile("submit-1\\s*\\| ?(.*)");

    @Test
    void composeUpCompletesItsSubmitService() throws Exception {
        try (ComposeProject project = ComposeProject.create("docker-compose-up")) {
            ProcessResult r = project.compose(DockerIt.COMMAND_TIMEOUT,
                    List.of("up", "--build", "--abort-on-container-exit", "--exit-code-from", "submit", "--no-color"));
            assertEquals(0, r.exitCode(), "docker compose up failed:\n" + r.stdout() + r.stderrTail());
            // compose prefixes each service's lines with "submit-1  | " (after terminal codes, even with --ansi never)
            String submit = r.stdout().lines().map(SUBMIT_LINE::matcher).filter(Matcher::find)
                    .map(m -> m.group(1)).collect(Collectors.joining("\n"));
            assertTrue(submit.contains("{"), "no result line from submit-1 in the output of up:\n" + r.stdout());
            ClusterScenario.verify(submit, 2);
        }
    }
}
