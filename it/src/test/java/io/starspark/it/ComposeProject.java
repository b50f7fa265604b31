package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * docker/compose.yml driven with the {@code docker compose} CLI, as a user drives it, under its own project name,
 * with the user's variables: a fresh {@code STARSPARK_AUTH_SECRET}, {@code STARSPARK_SHARED} (models),
 * {@code STARSPARK_DATA} (a fresh /data folder writable by the containers' uid 10001) and, where CI made one,
 * {@code STARSPARK_BASE_IMAGE} (inherited from the environment). {@link #close()} removes the project's
 * containers and network, and for a non-root user opens up what the containers wrote to /data.
 */
final class ComposeProject implements AutoCloseable {
    private final String name;
    private final Path data;
    private final Map<String, String> env = new LinkedHashMap<>();

    private ComposeProject(String name, Path data, String secret) {
        this.name = name;
        this.data = data;
        env.put("STARSPARK_AUTH_SECRET", secret);
        env.put("STARSPARK_SHARED", Project.shared().toString());
        env.put("STARSPARK_DATA", data.toString());
    }

    /**
     * A project named {@code starspark-it-NAME} with a fresh data folder it/target/it/NAME/data. Checks the engine
     * first (see {@link #requireEngine()}) and removes containers left by an interrupted earlier run.
     */
    static ComposeProject create(String name) throws IOException, InterruptedException {
        requireEngine();
        Path data = DockerIt.freshData(name);
        ComposeProject project = new ComposeProject("starspark-it-" + name, data, DockerIt.randomSecret());
        project.down();
        return project;
    }

    /**
     * Whether the compose ITs run: the {@code STARSPARK_DOCKER_IT} contract ({@link DockerIt#require}) on
     * {@code docker info} and {@code docker compose} (v2).
     */
    static void requireEngine() throws IOException, InterruptedException {
        DockerIt.require(ComposeProject::engineProblem);
    }

    /** Null when {@code docker info} and compose v2 answer, else what is wrong. */
    private static String engineProblem() throws IOException, InterruptedException {
        ProcessResult info;
        try {
            info = Cli.command(List.of("docker", "info", "--format", "{{.ServerVersion}}"), Map.of(),
                    Duration.ofSeconds(30));
        } catch (IOException e) {
            return "no docker CLI: " + e.getMessage();
        }
        if (info.exitCode() != 0) {
            return "`docker info` fails: " + info.stderrTail();
        }
        ProcessResult compose = Cli.command(List.of("docker", "compose", "version", "--short"), Map.of(),
                Duration.ofSeconds(30));
        if (compose.exitCode() != 0 || !compose.stdout().strip().matches("v?2\\..*")) {
            return "no Docker Compose v2 (`docker compose version`: " + compose.stdout().strip() + compose.stderrTail() + ")";
        }
        System.out.println("Docker engine " + info.stdout().strip() + ", compose " + compose.stdout().strip());
        return null;
    }

    String name() {
        return name;
    }

    /** The host folder mounted at /data. */
    Path data() {
        return data;
    }

    /** Runs {@code docker compose -p NAME -f docker/compose.yml ARGS} with the project's variables. */
    ProcessResult compose(Duration timeout, List<String> args) throws IOException, InterruptedException {
        return Cli.command(composeCommand(args), env, timeout);
    }

    /** {@link #compose} that must exit with 0. */
    ProcessResult composeOk(List<String> args) throws IOException, InterruptedException {
        ProcessResult r = compose(DockerIt.COMMAND_TIMEOUT, args);
        assertEquals(0, r.exitCode(), "docker compose " + String.join(" ", args) + " failed:\n" + r.stderrTail()
                + "\nstdout:\n" + r.stdout());
        return r;
    }

    /** Starts {@code docker compose ... ARGS} in the background, output to {@code out} and {@code err}. */
    Process start(List<String> args, Path out, Path err) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(composeCommand(args)).redirectOutput(out.toFile())
                .redirectError(err.toFile());
        pb.environment().putAll(env);
        return pb.start();
    }

    /**
     * {@code docker compose run --rm -T submit ARGS} (client-mode driver in a container on the project's network):
     * master and workers are started first if they are not running. {@code overrides}: {@code -e KEY=VALUE} pairs.
     */
    ProcessResult submit(Map<String, String> overrides, List<String> args) throws IOException, InterruptedException {
        return compose(DockerIt.COMMAND_TIMEOUT, submitArgs(overrides, args));
    }

    List<String> submitArgs(Map<String, String> overrides, List<String> args) {
        List<String> command = new ArrayList<>(List.of("run", "--rm", "-T"));
        overrides.forEach((k, v) -> command.addAll(List.of("-e", k + "=" + v)));
        command.add("submit");
        command.add("submit");
        command.addAll(args);
        return command;
    }

    /** The container id of {@code service} (one replica). */
    String containerId(String service) throws IOException, InterruptedException {
        String id = composeOk(List.of("ps", "-q", service)).stdout().strip();
        if (id.isEmpty() || id.contains("\n")) {
            throw new IllegalStateException("expected one running container of " + service + " in " + name + ", got '" + id + "'");
        }
        return id;
    }

    private List<String> composeCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of("docker", "compose", "--ansi", "never", "-p", name, "-f",
                Project.root().resolve("docker/compose.yml").toString()));
        command.addAll(args);
        return command;
    }

    /** Removes the project's containers and network (no volumes are named; /data stays for inspection). */
    void down() throws IOException, InterruptedException {
        composeOk(List.of("down", "--remove-orphans", "--timeout", "5"));
    }

    @Override
    public void close() throws IOException, InterruptedException {
        down();
        if (DockerIt.mustReleaseData()) {
            releaseData();
        }
    }

    /** {@link DockerIt#RELEASE_DATA} in a one-off container of the master service. */
    private void releaseData() throws IOException, InterruptedException {
        List<String> args = new ArrayList<>(List.of("run", "--rm", "--no-deps", "-T", "--entrypoint",
                DockerIt.RELEASE_DATA.get(0), "master"));
        args.addAll(DockerIt.RELEASE_DATA.subList(1, DockerIt.RELEASE_DATA.size()));
        composeOk(args);
    }
}
