package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.BindMode;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.OutputFrame;
import org.testcontainers.containers.startupcheck.StartupCheckStrategy;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerStatus;

/**
 * The example batch job on a cluster started with Testcontainers, the way a Spark user's own test starts one: a
 * {@link Network}; a master and two workers from the image docker/compose.yml builds (built here from docker/ with
 * {@link ImageFromDockerfile} under compose.yml's tag, base image from {@code STARSPARK_BASE_IMAGE} as compose takes
 * it), each waited for by its log line; the build's jars and conf/ (read-only), the models at /shared (read-only) and
 * a fresh /data mounted as compose.yml mounts them; a fresh shared secret. A submit container runs
 * {@code run} in client mode and exits; its answers equal {@code bin/starspark run} on local[2]
 * ({@link DockerClusterIT#assertExampleRun}). No compose binary is involved. Ryuk is off here (it/pom.xml), so
 * {@link #stop()} removes the containers and the network itself, after saving each container's log to
 * it/target/it/testcontainers-cluster/NAME.log, and {@link #start()} first removes what an interrupted earlier run
 * left (found by {@link #LABEL}), as compose's {@code down} does for the compose ITs.
 */
class DockerTestcontainersIT {
    static final String MASTER_URL = "spark://master:7077";
    static final Duration START_TIMEOUT = Duration.ofMinutes(3);
    /** On this IT's containers and network: what {@link #removeLeftovers} finds. */
    static final Map<String, String> LABEL = Map.of("io.starspark.it", "testcontainers-cluster");

    static Path dir;
    static Path data;
    static String secret;
    static ImageFromDockerfile image;
    static Network network;
    /** Every container made, by hostname, in order: stopped in reverse. */
    static final Map<String, GenericContainer<?>> containers = new LinkedHashMap<>();
    static ExecutorService background;
    static CompletableFuture<List<JsonNode>> localExample;

    @BeforeAll
    static void start() throws Exception {
        DockerIt.require(DockerTestcontainersIT::engineProblem);
        removeLeftovers(DockerClientFactory.instance().client());
        data = DockerIt.freshData("testcontainers-cluster");
        dir = data.getParent();
        secret = DockerIt.randomSecret();
        Files.copy(Project.root().resolve("conf/example-input.jsonl"), data.resolve("example-input.jsonl"));
        background = Executors.newSingleThreadExecutor();
        localExample = DockerClusterIT.reference(background, dir, "example", data.resolve("example-input.jsonl"),
                DockerClusterIT.EXAMPLE_SETTINGS);

        image = new ImageFromDockerfile(DockerIt.composeImage(), false)
                .withDockerfile(Project.root().resolve("docker/Dockerfile"));
        String base = System.getenv().getOrDefault("STARSPARK_BASE_IMAGE", "");
        if (!base.isEmpty()) {
            image.withBuildArg("BASE_IMAGE", base);
        }
        network = Network.builder().createNetworkCmdModifier(cmd -> cmd.withLabels(LABEL)).build();
        container("master").withCommand("master")
                .waitingFor(Wait.forLogMessage(".*I have been elected leader! New state: ALIVE.*\\n", 1)
                        .withStartupTimeout(START_TIMEOUT))
                .start();
        Startables.deepStart(worker("worker-1"), worker("worker-2")).join();
    }

    /** Null when Testcontainers reaches a Docker engine, else what it says. */
    private static String engineProblem() {
        DockerClient client;
        try {
            client = DockerClientFactory.instance().client();
        } catch (IllegalStateException e) {
            return "Testcontainers finds no Docker engine: " + e.getMessage();
        }
        System.out.println("Docker engine " + client.versionCmd().exec().getVersion() + " (Testcontainers, API "
                + DockerClientFactory.instance().getActiveApiVersion() + ")");
        return null;
    }

    /**
     * Removes the containers and the network that an interrupted earlier run left: Ryuk, which would have, is off
     * here (it/pom.xml), and {@link #stop()} did not run.
     */
    private static void removeLeftovers(DockerClient client) {
        List<String> labels = LABEL.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList();
        for (var c : client.listContainersCmd().withShowAll(true).withLabelFilter(LABEL).exec()) {
            System.out.println("DockerTestcontainersIT: removing container " + c.getId() + " of an earlier run");
            client.removeContainerCmd(c.getId()).withForce(true).exec();
        }
        for (var n : client.listNetworksCmd().withFilter("label", labels).exec()) {
            System.out.println("DockerTestcontainersIT: removing network " + n.getName() + " of an earlier run");
            client.removeNetworkCmd(n.getId()).exec();
        }
    }

    /** A worker (1 core, docker/entrypoint.sh) that is ready once the master registered it. */
    private static GenericContainer<?> worker(String hostname) {
        return container(hostname).withCommand("worker")
                .waitingFor(Wait.forLogMessage(".*Successfully registered with master " + MASTER_URL + ".*\\n", 1)
                        .withStartupTimeout(START_TIMEOUT));
    }

    /**
     * A container of the image as compose.yml makes one: on the network under {@code hostname} (also its alias, as a
     * compose service name is), the master URL and secret in its environment, the same four mounts.
     */
    private static GenericContainer<?> container(String hostname) {
        GenericContainer<?> c = new GenericContainer<>(image)
                .withNetwork(network)
                .withNetworkAliases(hostname)
                .withLabels(LABEL)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostname))
                .withEnv("SPARK_MASTER_URL", MASTER_URL)
                .withEnv("STARSPARK_AUTH_SECRET", secret)
                .withFileSystemBind(Project.root().resolve("driver/target").toString(), "/opt/starspark/driver",
                        BindMode.READ_ONLY)
                .withFileSystemBind(Project.root().resolve("conf").toString(), "/opt/starspark/conf", BindMode.READ_ONLY)
                .withFileSystemBind(Project.shared().toString(), "/shared", BindMode.READ_ONLY)
                .withFileSystemBind(data.toString(), "/data", BindMode.READ_WRITE);
        containers.put(hostname, c);
        return c;
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            GenericContainer<?> master = containers.get("master");
            if (master != null && master.isRunning() && DockerIt.mustReleaseData()) {
                Container.ExecResult r = master.execInContainer(DockerIt.RELEASE_DATA.toArray(String[]::new));
                assertEquals(0, r.getExitCode(), "releasing /data: " + r.getStderr());
            }
        } finally {
            List<GenericContainer<?>> made = new ArrayList<>(containers.values());
            List<String> names = new ArrayList<>(containers.keySet());
            for (int i = made.size() - 1; i >= 0; i--) {
                if (made.get(i).getContainerId() != null) {
                    Files.writeString(dir.resolve(names.get(i) + ".log"), made.get(i).getLogs());
                }
                made.get(i).stop();
            }
            containers.clear();
            if (network != null) {
                network.close();
            }
            if (background != null) {
                background.shutdownNow();
            }
        }
    }

    @Test
    void batchRunOnJsonlEqualsLocalRun() throws Exception {
        List<String> command = new ArrayList<>(List.of("submit"));
        command.addAll(DockerClusterIT.runArgs("example-input.jsonl", "example", DockerClusterIT.EXAMPLE_SETTINGS));
        GenericContainer<?> submit = container("submit").withCommand(command.toArray(String[]::new))
                .withStartupCheckStrategy(new Exited().withTimeout(DockerIt.COMMAND_TIMEOUT));
        ProcessResult r = runToEnd(submit);
        List<JsonNode> rows = DockerClusterIT.assertExampleRun(r, data, localExample.join());
        System.out.printf("DockerTestcontainersIT run: %d answers equal to local[2], submit container %d ms%n",
                rows.size(), r.wallMillis());
    }

    /** Starts {@code job} (with {@link Exited}) and returns its exit code, stdout and stderr once it ended. */
    private static ProcessResult runToEnd(GenericContainer<?> job) {
        long start = System.nanoTime();
        job.start();
        long wall = (System.nanoTime() - start) / 1_000_000;
        Long exit = job.getCurrentContainerInfo().getState().getExitCodeLong();
        return new ProcessResult(Math.toIntExact(exit), job.getLogs(OutputFrame.OutputType.STDOUT),
                job.getLogs(OutputFrame.OutputType.STDERR), wall);
    }

    /**
     * "Started" means exited, with any exit code: a one-shot job whose exit code and output the test checks
     * (Testcontainers' OneShotStartupCheckStrategy turns a non-zero exit into an exception without them).
     */
    static final class Exited extends StartupCheckStrategy {
        @Override
        public StartupStatus checkStartupState(DockerClient client, String containerId) {
            return DockerStatus.isContainerStopped(getCurrentState(client, containerId)) ? StartupStatus.SUCCESSFUL
                    : StartupStatus.NOT_YET_KNOWN;
        }
    }
}
