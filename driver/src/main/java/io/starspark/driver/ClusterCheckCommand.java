package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.diag.ClusterProbe;
import io.starspark.workers.diag.ClusterProbe.TaskReport;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code starspark cluster-check}: a diagnostic Spark job. Sums 1..n in {@code --tasks} tasks and
 * reports which executors ran them and the kernels setting each executor read. Loads no model and
 * no OpenCL, so it separates "the cluster is broken" from "the kernels are broken".
 */
@Command(name = "cluster-check", hidden = true, description = "Run a small self-check job on a Spark cluster.")
final class ClusterCheckCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--master", description = "Spark master URL (default: spark.master from spark-submit, else local[2])")
    String master;

    @Option(names = "--tasks", defaultValue = "4", description = "number of tasks (default ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--numbers", defaultValue = "1000", description = "sum 1..n (default ${DEFAULT-VALUE})")
    long numbers;

    @Mixin
    ExecutorWaitOptions executorWait;

    @Mixin
    SettingsOptions settingsOptions;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        if (tasks < 1 || numbers < 1 || !executorWait.valid()) {
            throw new UserError("--tasks, --numbers, --expect-executors and --wait-seconds must be positive");
        }
        StarSettings settings = settingsOptions.settings();
        long start = System.nanoTime();
        try (JavaSparkContext sc = Spark.open("starspark cluster-check", master, settings)) {
            long contextReady = System.nanoTime();
            executorWait.await(sc);
            long executorsReady = System.nanoTime();
            List<Long> input = LongStream.rangeClosed(1, numbers).boxed().collect(Collectors.toList());
            List<TaskReport> reports = sc.parallelize(input, tasks).mapPartitions(new ClusterProbe()).collect();
            Map<String, Object> result = summary(sc.master(), reports);
            result.put("millis", new java.util.TreeMap<>(Map.of("sparkContext", millis(start, contextReady),
                    "executors", millis(contextReady, executorsReady), "job", millis(executorsReady, System.nanoTime()))));
            output.print(spec.commandLine().getOut(), result);
        }
        return ErrorContract.EXIT_OK;
    }

    private Map<String, Object> summary(String usedMaster, List<TaskReport> reports) {
        long sum = reports.stream().mapToLong(TaskReport::sum).sum();
        long expected = numbers * (numbers + 1) / 2;
        if (sum != expected || reports.size() != tasks) {
            throw new IllegalStateException("cluster-check computed " + sum + " in " + reports.size()
                    + " tasks; expected " + expected + " in " + tasks);
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("master", usedMaster);
        result.put("tasks", reports.size());
        result.put("executors", reports.stream().map(TaskReport::executorId).distinct().count());
        result.put("executorIds", new TreeSet<>(reports.stream().map(TaskReport::executorId).toList()));
        result.put("sum", sum);
        result.put("expectedSum", expected);
        result.put("kernelsOnExecutors", new TreeSet<>(reports.stream().map(TaskReport::kernels).toList()));
        result.put("reports", reports);
        return result;
    }

    private static long millis(long fromNanos, long toNanos) {
        return (toNanos - fromNanos) / 1_000_000;
    }
}
