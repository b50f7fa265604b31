package io.starspark.driver;

import io.starspark.sharding.StarPlan;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;

/** The Spark context (or SQL session) of a CLI command: the master from --master, else spark-submit's, else local[2]. */
final class Spark {
    private Spark() {
    }

    static JavaSparkContext open(String appName, String master, StarSettings settings) {
        return new JavaSparkContext(conf(appName, master, settings));
    }

    /**
     * The same configuration as a SQL session (the batch job reads and writes tables). Kryo stays the
     * serializer with our classes registered, but registration is not required: Spark SQL ships its own
     * classes (schemas, write-task commit messages) through it, and which ones depends on the query.
     */
    static SparkSession session(String appName, String master, StarSettings settings) {
        SparkConf conf = conf(appName, master, settings).set("spark.kryo.registrationRequired", "false");
        LOG.info("Spark SQL session: Kryo with starspark classes registered, spark.kryo.registrationRequired=false");
        return SparkSession.builder().config(conf).getOrCreate();
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Spark.class);

    private static SparkConf conf(String appName, String master, StarSettings settings) {
        SparkConf conf = new SparkConf().setAppName(appName).setIfMissing("spark.ui.enabled", "false");
        if (master != null) {
            conf.setMaster(master);
        }
        conf.setIfMissing("spark.master", "local[2]");
        StarSparkConf.configure(conf, settings);
        return conf;
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
