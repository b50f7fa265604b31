package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Spark context of a CLI command: the master from --master (or {@code -c spark.master}), else
 * spark-submit's, else local[2]. The other {@code spark.*} settings the user gave go to the SparkConf.
 * Launched by {@code bin/starspark} (not spark-submit) against a cluster, the application jar is shipped
 * to the executors through {@code spark.jars}, as spark-submit would.
 */
final class Spark {
    private static final Logger LOG = LoggerFactory.getLogger(Spark.class);

    private Spark() {
    }

    /**
     * @param sparkConf     other {@code spark.*} settings from --settings and -c ({@link SettingsOptions#sparkConf()})
     * @param reachSeconds  how long a {@code spark://} master may take to accept a connection before this fails
     */
    static JavaSparkContext open(String appName, String master, StarSettings settings, Map<String, String> sparkConf,
                                 int reachSeconds) {
        SparkConf conf = conf(appName, master, settings, sparkConf, reachSeconds);
        try {
            return new JavaSparkContext(conf);
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            throw userErrorOr(e, conf.get("spark.master"), sparkConf);
        }
    }

    /**
     * The same configuration as a SQL session (the batch job reads and writes tables). Kryo stays the
     * serializer with our classes registered, but registration is not required: Spark SQL ships its own
     * classes (schemas, write-task commit messages) through it, and which ones depends on the query.
     */
    static SparkSession session(String appName, String master, StarSettings settings, Map<String, String> sparkConf,
                                int reachSeconds) {
        SparkConf conf = conf(appName, master, settings, sparkConf, reachSeconds)
                .set("spark.kryo.registrationRequired", "false");
        LOG.info("Spark SQL session: Kryo with starspark classes registered, spark.kryo.registrationRequired=false");
        try {
            return SparkSession.builder().config(conf).getOrCreate();
        } catch (Exception e) { // Scala code throws the checked SparkException undeclared
            throw userErrorOr(e, conf.get("spark.master"), sparkConf);
        }
    }

    private static SparkConf conf(String appName, String master, StarSettings settings, Map<String, String> sparkConf,
                                  int reachSeconds) {
        SparkConf conf = new SparkConf().setAppName(appName).setIfMissing("spark.ui.enabled", "false");
        String given = sparkConf.get("spark.master");
        if (master != null && given != null && !master.equals(given)) {
            throw new UserError("--master " + master + " and -c spark.master=" + given + " disagree; give one");
        }
        sparkConf.forEach(conf::set);
        if (master != null) {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.master", "local[2]");
        StarSparkConf.configure(conf, settings);
        String effective = conf.get("spark.master");
        if (!effective.startsWith("local")) {
            shipApplicationJar(conf);
        }
        if (effective.startsWith("spark://")) {
            requireReachable(effective, reachSeconds);
        }
        return conf;
    }

    /**
     * Sets {@code spark.jars} to the jar this class was loaded from, unless spark-submit (or the user) set it:
     * without it executors cannot load our classes ("unread block data").
     */
    private static void shipApplicationJar(SparkConf conf) {
        if (conf.contains("spark.jars")) {
            return;
        }
        Path jar = applicationJar();
        if (jar == null) {
            LOG.warn("not running from the application jar: executors get no starspark classes unless spark.jars"
                    + " names the jar");
            return;
        }
        LOG.info("shipping the application jar {} to the executors (spark.jars)", jar);
        conf.set("spark.jars", jar.toUri().toString());
    }

    /** The jar holding this class, or null when it was loaded from a folder (tests, an IDE). */
    static Path applicationJar() {
        try {
            Path p = Path.of(Spark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return Files.isRegularFile(p) && p.toString().endsWith(".jar") ? p : null;
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new IllegalStateException("cannot locate the jar of " + Spark.class, e);
        }
    }

    /**
     * Fails fast when no master of a {@code spark://HOST:PORT[,HOST:PORT]} URL accepts a TCP connection within
     * {@code seconds}; Spark itself would retry registering for about a minute and then report "-1 executors".
     */
    static void requireReachable(String master, int seconds) {
        List<InetSocketAddress> masters = new ArrayList<>();
        for (String hostPort : master.substring("spark://".length()).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException | IndexOutOfBoundsException e) {
                throw new UserError("master " + master + " is not spark://HOST:PORT (bad port in '" + hostPort + "')");
            }
            if (colon <= 0 || port < 1 || port > 65535) {
                throw new UserError("master " + master + " is not spark://HOST:PORT (got '" + hostPort + "')");
            }
            masters.add(new InetSocketAddress(hostPort.substring(0, colon), port));
        }
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String last = "";
        do {
            for (InetSocketAddress a : masters) {
                try (Socket s = new Socket()) {
                    s.connect(a, 2000);
                    return;
                } catch (IOException e) {
                    last = a.getHostString() + ":" + a.getPort() + ": " + e.getMessage();
                }
            }
            sleep(500);
        } while (System.nanoTime() < deadline);
        throw new UserError("no Spark master answers at " + master + " after " + seconds + " s (" + last
                + "); is the master running, and is --master right?");
    }

    /** Spark's own refusals of a master URL or a setting are user errors; anything else stays a bug. */
    private static RuntimeException userErrorOr(Exception e, String master, Map<String, String> sparkConf) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        if (e instanceof SparkException && message.startsWith("Could not parse Master URL")) {
            return new UserError("the Spark master '" + master + "' (--master or spark.master) is not a master URL"
                    + " (local[N], spark://HOST:PORT, yarn, k8s://...): " + message, e);
        }
        if (e instanceof IllegalArgumentException && !sparkConf.isEmpty()) { // NumberFormatException among them
            return new UserError("Spark refused the settings " + sparkConf.keySet() + ": " + message, e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException("cannot start Spark: " + message, e);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the Spark master", e);
        }
    }

    /**
     * Partitions for phase 1: one task per block (a retry redoes one block, progress shows per block),
     * grouped only past {@link #MAX_PARTITIONS} blocks to bound scheduling overhead; at least two per
     * executor core so a slow block does not idle the rest.
     */
    static int partitions(JavaSparkContext jsc, StarPlan plan) {
        return Math.max(Math.min(plan.blockCount(), MAX_PARTITIONS), 2 * jsc.defaultParallelism());
    }

    static final int MAX_PARTITIONS = 4096;
}
