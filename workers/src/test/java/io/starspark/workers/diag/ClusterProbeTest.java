package io.starspark.workers.diag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.starspark.workers.HadoopConfs;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/**
 * The cluster self-check on a local Spark configured as jobs are (Kryo with required registration): one report
 * per partition with its numbers' sum and count and the kernels setting the executor read; and the Hadoop
 * configuration code inside Spark sees, the {@code spark.hadoop.*} settings without their prefix.
 */
class ClusterProbeTest {

    @Test
    void eachPartitionReportsItsSumCountAndSettings() {
        assertNull(HadoopConfs.current().get("fs.probe.impl"), "outside Spark: Hadoop's defaults only");
        SparkConf conf = StarSparkConf.configure(new SparkConf(false).setMaster("local[2]").setAppName("probe")
                        .set("spark.ui.enabled", "false").set("spark.hadoop.fs.probe.impl", "x.ProbeFs"),
                StarSettings.from(Map.of("spark.starspark.kernels", "reference")));
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            List<ClusterProbe.TaskReport> reports = sc.parallelize(LongStream.rangeClosed(1, 10).boxed().toList(), 2)
                    .mapPartitions(new ClusterProbe()).collect().stream()
                    .sorted(Comparator.comparingInt(ClusterProbe.TaskReport::partition)).toList();
            assertEquals(List.of(new ClusterProbe.TaskReport(0, "driver", 15, 5, "reference"),
                    new ClusterProbe.TaskReport(1, "driver", 40, 5, "reference")), reports);
            assertEquals("x.ProbeFs", HadoopConfs.current().get("fs.probe.impl"));
            assertNull(HadoopConfs.current().get("spark.hadoop.fs.probe.impl"));
            assertEquals("x.ProbeFs", HadoopConfs.of(conf).get("fs.probe.impl"));
        }
    }
}
