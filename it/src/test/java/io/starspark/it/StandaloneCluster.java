package io.starspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Spark standalone cluster for tests: one Master and N Workers, each a separate JVM started
 * from driver/target/spark-home/jars with the flags of conf/jvm-flags, on random free ports, with
 * work dirs, temp dirs and logs under {@code dir}. {@link #close()} stops every JVM it started, by PID.
 */
public final class StandaloneCluster implements AutoCloseable {

    private static final String HOST = "127.0.0.1";

    /**
     * What to start.
     *
     * @param openCl false hides every OpenCL platform from Workers and their executors (OCL_ICD_VENDORS)
     */
    public record Options(int workers, int coresPerWorker, String workerMemory, boolean openCl, Duration startTimeout) {
        public Options {
            if (workers < 1 || coresPerWorker < 1) {
                throw new IllegalArgumentException("workers and coresPerWorker must be positive (got " + workers
                        + ", " + coresPerWorker + ")");
            }
        }

        /**
         * The ITs' cluster: 2 Workers with 1 core and 2 GiB each (the ITs ask for 768m executors), OpenCL
         * hidden (every executor on the java backend), 90 s to come up.
         */
        public static Options twoWorkers() {
            return new Options(2, 1, "2g", false, Duration.ofSeconds(90));
        }
    }

    private final Path dir;
    private final Options options;
    private final List<Process> processes = new ArrayList<>();
    private final int masterPort = freePort();
    private final int webUiPort = freePort();
    private int submits;

    private StandaloneCluster(Path dir, Options options) {
        this.dir = dir;
        this.options = options;
    }

    /** Starts a Master and the Workers, and waits until every Worker registered with the Master. */
    public static StandaloneCluster start(Path dir, Options options) throws IOException {
        StandaloneCluster cluster = new StandaloneCluster(dir, options);
        try {
            cluster.startAll();
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    public String masterUrl() {
        return "spark://" + HOST + ":" + masterPort;
    }

    public int webUiPort() {
        return webUiPort;
    }

    public Path dir() {
        return dir;
    }

    /**
     * Runs {@code spark-submit} (client mode, driver bound to 127.0.0.1) as a separate JVM and waits for it.
     *
     * @param confs extra {@code --conf} values, e.g. {@code spark.executor.memory=512m}
     */
    public ProcessResult submit(Path appJar, String mainClass, List<String> confs, List<String> args, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("org.apache.spark.deploy.SparkSubmit",
                "--master", masterUrl(), "--deploy-mode", "client", "--class", mainClass,
                "--conf", "spark.driver.host=" + HOST, "--conf", "spark.driver.bindAddress=" + HOST,
                "--conf", "spark.ui.enabled=false",
                "--conf", "spark.executor.extraJavaOptions=-Djava.io.tmpdir=" + executorTmp()));
        for (String conf : confs) {
            command.add("--conf");
            command.add(conf);
        }
        command.add(appJar.toString());
        command.addAll(args);
        String name = "submit-" + (++submits);
        long start = System.nanoTime();
        Process p = launch(name, command, true);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            stop(p);
            throw new IllegalStateException(name + " did not finish in " + timeout + "; see " + log(name, "err"));
        }
        processes.remove(p);
        long wall = (System.nanoTime() - start) / 1_000_000;
        return new ProcessResult(p.exitValue(), Files.readString(log(name, "out")), Files.readString(log(name, "err")), wall);
    }

    /** Executors write temp files (Aparapi, Spark) here, not to /tmp. */
    private Path executorTmp() throws IOException {
        return Files.createDirectories(dir.resolve("tmp").resolve("executors"));
    }

    private void startAll() throws IOException {
        Files.createDirectories(dir.resolve("logs"));
        launch("master", List.of("org.apache.spark.deploy.master.Master",
                "--host", HOST, "--port", Integer.toString(masterPort), "--webui-port", Integer.toString(webUiPort)), false);
        for (int i = 1; i <= options.workers(); i++) {
            Path work = Files.createDirectories(dir.resolve("worker-" + i));
            launch("worker-" + i, List.of("org.apache.spark.deploy.worker.Worker",
                    "--host", HOST, "--port", Integer.toString(freePort()), "--webui-port", Integer.toString(freePort()),
                    "--cores", Integer.toString(options.coresPerWorker()), "--memory", options.workerMemory(),
                    "--work-dir", work.toString(), masterUrl()), true);
        }
        awaitWorkers(options.startTimeout());
    }

    /** Polls the Master's {@code /json/} until {@code aliveworkers} reaches the number started. */
    private void awaitWorkers(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + HOST + ":" + webUiPort + "/json/"))
                .timeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        int alive = -1;
        while (System.nanoTime() < deadline) {
            requireAllRunning();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                JsonNode status = new ObjectMapper().readTree(response.body());
                requireMasterUrl(status.path("url").asText());
                alive = status.path("aliveworkers").asInt(-1);
                if (alive >= options.workers()) {
                    return;
                }
            } catch (IOException e) {
                alive = -1; // the Master's web UI is not up yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for workers", e);
            }
            sleep(250);
        }
        throw new IllegalStateException(alive + " of " + options.workers() + " workers alive after " + timeout + "; logs in " + dir.resolve("logs"));
    }

    /** A taken port makes Spark silently bind the next one; then nothing would find this Master. */
    private void requireMasterUrl(String advertised) {
        if (!advertised.isEmpty() && !advertised.equals(masterUrl())) {
            throw new IllegalStateException("the Master runs at " + advertised + ", not at the free port chosen ("
                    + masterUrl() + "); another process took the port, run again");
        }
    }

    private void requireAllRunning() {
        for (Process p : processes) {
            if (!p.isAlive()) {
                throw new IllegalStateException("a cluster JVM (pid " + p.pid() + ") exited with " + p.exitValue()
                        + "; logs in " + dir.resolve("logs"));
            }
        }
    }

    /** Starts {@code java <flags> -cp spark-home/jars/* <mainAndArgs>} with the standalone environment. */
    private Process launch(String name, List<String> mainAndArgs, boolean preloadJsig) throws IOException {
        Path tmp = Files.createDirectories(dir.resolve("tmp").resolve(name));
        List<String> command = new ArrayList<>();
        command.add(Project.javaHome().resolve("bin/java").toString());
        command.addAll(Project.jvmFlags());
        command.add("-Xmx1g");
        command.add("-Djava.io.tmpdir=" + tmp);
        // no log4j2 config: Spark's default profile logs INFO to stderr, i.e. to logs/<name>.err
        command.add("-cp");
        command.add(Project.sparkHome().resolve("jars") + "/*");
        command.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(log(name, "out").toFile()).redirectError(log(name, "err").toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", Project.javaHome().toString());
        env.put("SPARK_HOME", Project.sparkHome().toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", HOST);
        env.put("SPARK_LOCAL_DIRS", tmp.toString());
        env.put("SPARK_LOG_DIR", dir.resolve("logs").toString());
        if (preloadJsig) {
            env.put("LD_PRELOAD", Project.javaHome().resolve("lib/libjsig.so").toString());
        }
        if (!options.openCl()) {
            env.put("OCL_ICD_VENDORS", Files.createDirectories(dir.resolve("no-opencl-vendors")).toString());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    private Path log(String name, String stream) {
        return dir.resolve("logs").resolve(name + "." + stream);
    }

    /** Stops every JVM this cluster started (Workers before the Master), by PID. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            stop(processes.get(i));
        }
        processes.clear();
    }

    private static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy); // executors a Worker launched
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public String toString() {
        return "StandaloneCluster[" + masterUrl() + ", " + options.workers() + " workers, logs " + dir.resolve("logs") + "]";
    }
}
