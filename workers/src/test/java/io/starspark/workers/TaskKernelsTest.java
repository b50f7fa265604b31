package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.jvm.JavaKernels;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** Kernels in a Spark task use the task's CPUs; outside a task, every processor of the JVM. */
class TaskKernelsTest {

    @Test
    void aTaskGetsItsCpusTheDriverAllProcessors() {
        assertEquals(Runtime.getRuntime().availableProcessors(),
                ((JavaKernels) TaskKernels.select(KernelsChoice.JAVA)).threads(), "outside a task");
        try (JavaSparkContext sc = new JavaSparkContext(new SparkConf(false).setMaster("local[3]")
                .setAppName("task-kernels").set("spark.ui.enabled", "false").set("spark.task.cpus", "3"))) {
            List<Integer> threads = sc.parallelize(List.of(1, 2), 2)
                    .map(i -> ((JavaKernels) TaskKernels.select(KernelsChoice.JAVA)).threads()).collect();
            assertEquals(List.of(3, 3), threads, "in a task of spark.task.cpus=3");
        }
    }

    @Test
    void atLeastOneThread() {
        assertEquals(1, TaskKernels.threads(0));
        assertEquals(1, TaskKernels.threads(1));
        assertEquals(2, TaskKernels.threads(2));
    }
}
