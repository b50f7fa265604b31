package io.starspark.workers.diag;

import io.starspark.workers.conf.StarSettings;
import java.io.Serializable;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * A self-check task for a cluster: each partition reports which executor ran it, the sum of its
 * numbers, and the kernels setting it read from the executor's SparkConf. Touches no kernels and
 * no OpenCL, so it also proves a cluster works without an OpenCL runtime.
 */
public final class ClusterProbe implements FlatMapFunction<Iterator<Long>, ClusterProbe.TaskReport>, Serializable {

    private static final long serialVersionUID = 1L;

    /** What one task saw. */
    public record TaskReport(int partition, String executorId, long sum, long count, String kernels)
            implements Serializable {
    }

    @Override
    public Iterator<TaskReport> call(Iterator<Long> numbers) {
        long sum = 0;
        long count = 0;
        while (numbers.hasNext()) {
            sum += numbers.next();
            count++;
        }
        String kernels = StarSettings.from(SparkEnv.get().conf()).kernels().toString();
        TaskReport report = new TaskReport(TaskContext.getPartitionId(), SparkEnv.get().executorId(), sum, count, kernels);
        return List.of(report).iterator();
    }
}
