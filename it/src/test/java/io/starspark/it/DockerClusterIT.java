package io.starspark.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The batch job on docker/compose.yml: master, worker-1, worker-2 and submit as containers of one compose project
 * on one network, models on /shared, inputs, K/V and answers on the mounted /data, every connection authenticated
 * with a shared secret and encrypted (docker/entrypoint.sh). Answers are compared with {@code bin/starspark run} on
 * {@code local[2]} with the same settings (run in the background while the cluster starts).
 * Scenarios: the JSONL batch job; authentication (a wrong secret is refused, the REST server is off, containers are
 * not root); executor loss ({@code docker kill} of worker-1 while phase 1 runs). The kill comes last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DockerClusterIT {
    static final Duration REFERENCE_TIMEOUT = Duration.ofMinutes(4);
    static final String MODEL = "stories260K.gguf";
    /** Star settings of the example input: 64-token blocks (several per document), 16-token pages. */
    static final List<String> EXAMPLE_SETTINGS = List.of("--block-size", "64", "--anchor-size", "64", "--page-size", "16",
            "--max-new-tokens", "16", "--json", "-c", "spark.starspark.kernels=java");
    /** The long document of the executor-loss scenario: 1024-token blocks, about 9 of them, a few seconds each. */
    static final List<String> LONG_SETTINGS = List.of("--block-size", "1024", "--anchor-size", "256", "--page-size", "64",
            "--max-new-tokens", "8", "--json", "-c", "spark.starspark.kernels=java");
    static final int LONG_COPIES = 30;

    static Path dir;
    static ComposeProject cluster;
    static ExecutorService background;
    static CompletableFuture<List<JsonNode>> localExample;
    static CompletableFuture<List<JsonNode>> localLong;

    @BeforeAll
    static void start() throws Exception {
        cluster = ComposeProject.create("docker-cluster");
        dir = cluster.data().getParent();
        Path data = cluster.data();
        Files.copy(Project.root().resolve("conf/example-input.jsonl"), data.resolve("example-input.jsonl"));
        writeLongInput(data.resolve("long-input.jsonl"));
        background = Executors.newSingleThreadExecutor();
        localExample = reference(background, dir, "example", data.resolve("example-input.jsonl"), EXAMPLE_SETTINGS);
        localLong = reference(background, dir, "long", data.resolve("long-input.jsonl"), LONG_SETTINGS);
        // one image for every service, built once (from the cache when nothing changed)
        cluster.composeOk(List.of("build", "master"));
        cluster.composeOk(List.of("up", "-d", "master", "worker-1", "worker-2"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            ProcessResult logs = cluster.compose(DockerIt.COMMAND_TIMEOUT, List.of("logs", "--no-color"));
            Files.writeString(dir.resolve("compose.log"), logs.stdout() + logs.stderr());
            cluster.close();
        }
        if (background != null) {
            background.shutdownNow();
        }
    }

    /** One document: the golden star case's story, {@link #LONG_COPIES} times; one question. */
    static void writeLongInput(Path file) throws IOException {
        String story = StarScenario.golden().contextText();
        String document = String.join("\n", java.util.Collections.nCopies(LONG_COPIES, story));
        Map<String, Object> row = Map.of("id", "long-story", "document", document, "questions", List.of(" Lily"));
        Files.writeString(file, new ObjectMapper().writeValueAsString(row) + "\n");
    }

    /** {@code bin/starspark run} on local[2] on {@code background}, output under {@code dir}; the rows of its answers. */
    static CompletableFuture<List<JsonNode>> reference(Executor background, Path dir, String name, Path input,
                                                       List<String> settings) {
        Path output = dir.resolve("local-" + name);
        List<String> args = new ArrayList<>(List.of("run", "--model",
                Project.shared().resolve("models").resolve(MODEL).toString(), "--input", input.toString(),
                "--output", output.toString(), "--kv-dir", dir.resolve("kv-local-" + name).toUri().toString(),
                "--master", "local[2]"));
        args.addAll(settings);
        return Cli.runInBackground(background, REFERENCE_TIMEOUT, args, r -> rows(output));
    }

    /** The submit container's {@code run} arguments, paths as the containers see them. */
    static List<String> runArgs(String input, String name, List<String> settings) {
        List<String> args = new ArrayList<>(List.of("run", "--model", "/shared/models/" + MODEL, "--input", "/data/" + input,
                "--output", "/data/answers-" + name, "--kv-dir", "file:///data/kv-" + name, "--expect-executors", "2"));
        args.addAll(settings);
        return args;
    }

    static List<JsonNode> rows(Path output) throws IOException {
        return StarClusterIT.partRows(new ObjectMapper(), output);
    }

    /** Same ids, questions, answers and generated ids, row by row. */
    static void assertSameAnswers(List<JsonNode> expected, List<JsonNode> actual) {
        assertEquals(expected.size(), actual.size(), "rows");
        for (int i = 0; i < expected.size(); i++) {
            for (String field : List.of("id", "question", "ids", "answer")) {
                assertEquals(expected.get(i).get(field), actual.get(i).get(field), "row " + i + " " + field
                        + "\nlocal:  " + expected.get(i) + "\ndocker: " + actual.get(i));
            }
        }
    }

    @Test
    @Order(1)
    void batchRunOnJsonlEqualsLocalRun() throws Exception {
        ProcessResult r = cluster.submit(Map.of(), runArgs("example-input.jsonl", "example", EXAMPLE_SETTINGS));
        List<JsonNode> rows = assertExampleRun(r, cluster.data(), localExample.join());
        System.out.printf("DockerClusterIT run: %d answers equal to local[2], submit %d ms%n", rows.size(), r.wallMillis());
    }

    /**
     * The example job submitted in a container ({@link #runArgs} of example-input.jsonl, "example",
     * {@link #EXAMPLE_SETTINGS}) to a master named master and two workers: it exited with 0, ran on
     * spark://master:7077, its answers under {@code data}/answers-example equal {@code local} row by row, phase 1
     * used both workers and the answers ran on executors. Returns the answers.
     */
    static List<JsonNode> assertExampleRun(ProcessResult r, Path data, List<JsonNode> local) throws IOException {
        assertEquals(0, r.exitCode(), "run in docker failed:\n" + r.stderrTail());
        JsonNode summary = StarScenario.result(r.stdout());
        assertEquals("spark://master:7077", summary.get("master").asText(), summary.toString());
        List<JsonNode> rows = rows(data.resolve("answers-example"));
        assertSameAnswers(local, rows);
        // run prefills its documents concurrently, so one document's blocks may all land on one executor;
        // the job as a whole must use both workers, for phase 1 and for the answers
        java.util.Set<String> phase1On = new java.util.TreeSet<>();
        java.util.Set<String> answeredOn = new java.util.TreeSet<>();
        for (JsonNode row : rows) {
            JsonNode stats = row.get("stats");
            assertTrue(stats.get("blocks").asInt() > 1, "multi-block documents: " + stats);
            stats.get("executor_ids").forEach(e -> phase1On.add(e.asText()));
            answeredOn.add(stats.get("answered_on").asText());
        }
        assertEquals(2, phase1On.size(), "phase 1 on both workers: " + phase1On);
        assertTrue(answeredOn.stream().allMatch(e -> e.startsWith("executor ")), "answers on executors: " + answeredOn);
        return rows;
    }

    @Test
    @Order(2)
    void wrongSecretIsRefused() throws Exception {
        ProcessResult r = cluster.submit(Map.of("STARSPARK_AUTH_SECRET", "not-the-cluster-secret"),
                List.of("cluster-check", "--tasks", "2", "--numbers", "10", "--expect-executors", "1",
                        "--wait-seconds", "20", "--json"));
        assertNotEquals(0, r.exitCode(), "a submit with a wrong secret ran:\n" + r.stdout());
        assertFalse(r.stdout().contains("\"sum\""), "a job ran with a wrong secret:\n" + r.stdout());
        String master = cluster.composeOk(List.of("logs", "--no-color", "master")).stdout();
        assertTrue(master.contains("Authentication failed for client"), "the master logs no refused connection:\n"
                + master + "\nsubmit stderr:\n" + r.stderrTail());
        System.out.println("DockerClusterIT wrong secret: exit " + r.exitCode() + ", " + r.stderrTail().lines()
                .filter(l -> l.contains("starspark: error")).findFirst().orElse("(no starspark: error line)"));
    }

    @Test
    @Order(3)
    void daemonsRefuseToStartWithoutSecret() throws Exception {
        ProcessResult r = cluster.compose(DockerIt.COMMAND_TIMEOUT, List.of("run", "--rm", "-T", "--no-deps",
                "-e", "STARSPARK_AUTH_SECRET=", "worker-1", "worker"));
        assertEquals(2, r.exitCode(), r.stderrTail());
        assertTrue(r.stderr().contains("starspark: error: STARSPARK_AUTH_SECRET is not set"), r.stderrTail());
    }

    @Test
    @Order(4)
    void restServerIsOffAndContainersAreNotRoot() throws Exception {
        // bash's /dev/tcp from inside the master container: 7077 answers, the REST submission port 6066 does not
        assertEquals(0, exec("master", "exec 3<>/dev/tcp/master/7077").exitCode(), "the master's RPC port is closed?");
        assertNotEquals(0, exec("master", "exec 3<>/dev/tcp/master/6066").exitCode(), "REST submission server on 6066");
        for (String service : List.of("master", "worker-1", "worker-2")) {
            assertEquals(DockerIt.CONTAINER_UID, exec(service, "id -u").stdout().strip(), service + " runs as");
        }
        String image = cluster.composeOk(List.of("config", "--images")).stdout();
        ProcessResult inspect = Cli.command(List.of("docker", "image", "inspect", "--format", "{{json .Config.Env}}",
                image.lines().findFirst().orElseThrow().strip()), Map.of(), DockerIt.COMMAND_TIMEOUT);
        assertFalse(inspect.stdout().contains("SECRET"), "a secret in the image: " + inspect.stdout());
    }

    private ProcessResult exec(String service, String script) throws IOException, InterruptedException {
        return cluster.compose(DockerIt.COMMAND_TIMEOUT, List.of("exec", "-T", service, "bash", "-c", script));
    }

    @Test
    @Order(5)
    void executorLossMidPhaseOneGivesTheSameAnswers() throws Exception {
        Path out = dir.resolve("loss-submit.out");
        Path err = dir.resolve("loss-submit.err");
        Process submit = cluster.start(cluster.submitArgs(Map.of(), runArgs("long-input.jsonl", "long", LONG_SETTINGS)),
                out, err);
        Path kv = cluster.data().resolve("kv-long");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (firstBlockFile(kv) == null) {
            assertTrue(submit.isAlive(), "submit ended before phase 1 wrote a block: " + Files.readString(err));
            assertTrue(System.nanoTime() < deadline, "no block file under " + kv + " after 3 minutes");
            Thread.sleep(50);
        }
        boolean manifestBeforeKill = manifestExists(kv);
        String worker = cluster.containerId("worker-1");
        ProcessResult kill = Cli.command(List.of("docker", "kill", worker), Map.of(), Duration.ofSeconds(60));
        assertEquals(0, kill.exitCode(), "docker kill: " + kill.stderrTail());
        System.out.println("DockerClusterIT: killed worker-1 (" + worker.substring(0, 12) + ") after " + firstBlockFile(kv));
        assertFalse(manifestBeforeKill, "phase 1 had finished before the kill; the document is too short");

        assertTrue(submit.waitFor(DockerIt.COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), "submit hangs after the kill");
        assertEquals(0, submit.exitValue(), "run after executor loss failed:\n" + Files.readString(err));
        List<JsonNode> rows = rows(cluster.data().resolve("answers-long"));
        assertSameAnswers(localLong.join(), rows);
        JsonNode stats = rows.get(0).get("stats");
        assertTrue(stats.get("retried_blocks").asInt() >= 1, "the killed executor's block was retried: " + stats);
        assertTrue(stats.get("blocks").asInt() >= 6, "many blocks: " + stats);
        System.out.println("DockerClusterIT executor loss: " + stats.get("blocks") + " blocks, "
                + stats.get("retried_blocks") + " retried, executors " + stats.get("executor_ids"));
    }

    /** A committed block file of any document under {@code kv}, or null. */
    private static Path firstBlockFile(Path kv) throws IOException {
        if (!Files.isDirectory(kv)) {
            return null;
        }
        try (Stream<Path> files = Files.find(kv, 3, (p, a) -> p.getFileName().toString().matches("block-\\d+\\.kv")
                && p.getParent().getFileName().toString().equals("blocks"))) {
            return files.findFirst().orElse(null);
        }
    }

    private static boolean manifestExists(Path kv) throws IOException {
        try (Stream<Path> files = Files.find(kv, 2, (p, a) -> p.getFileName().toString().equals("manifest.json"))) {
            return files.findAny().isPresent();
        }
    }
}
