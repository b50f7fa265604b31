package io.starspark.workers;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsChoice;
import org.apache.spark.TaskContext;

/**
 * The kernels code running inside Spark must use: in a Spark task, CPU kernels on the task's CPUs
 * ({@code spark.task.cpus}, usually 1), since the executor already runs one task per core and kernels on every
 * core of the machine in every task would oversubscribe it (two executors on two cores: four busy threads);
 * outside a task (the driver answering, {@code generate}), on all the JVM's processors.
 */
public final class TaskKernels {
    private TaskKernels() {
    }

    public static Kernels select(KernelsChoice choice) {
        TaskContext task = TaskContext.get();
        return task == null ? KernelBackends.select(choice) : KernelBackends.select(choice, threads(task.cpus()));
    }

    /** At least one thread, whatever a task reports. */
    static int threads(int taskCpus) {
        return Math.max(1, taskCpus);
    }
}
