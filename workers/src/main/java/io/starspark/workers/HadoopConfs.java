package io.starspark.workers;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkEnv;
import scala.Tuple2;

/**
 * The Hadoop configuration code running inside Spark must use: Hadoop's defaults (core-site.xml ...) plus every
 * {@code spark.hadoop.*} setting of the Spark conf with the prefix removed, as the driver's
 * {@code JavaSparkContext.hadoopConfiguration()} has them. A bare {@code new Configuration()} on an executor
 * misses them (file system implementations, s3a credentials, HDFS name services).
 */
public final class HadoopConfs {
    private static final String PREFIX = "spark.hadoop.";

    private HadoopConfs() {
    }

    /** For this JVM's Spark conf (driver or executor); Hadoop's defaults alone outside Spark. */
    public static Configuration current() {
        SparkEnv env = SparkEnv.get();
        return env == null ? new Configuration() : of(env.conf());
    }

    public static Configuration of(SparkConf spark) {
        Configuration conf = new Configuration();
        for (Tuple2<String, String> kv : spark.getAllWithPrefix(PREFIX)) {
            conf.set(kv._1(), kv._2());
        }
        return conf;
    }
}
