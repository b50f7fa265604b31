package io.starspark.driver;

import io.starspark.errors.UserError;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.conf.StarSettings;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of the answer path, shared by {@code generate} and {@code run}: the model, the answer
 * length, the Spark master, the attention/K/V flags and the settings sources. Its checks run once,
 * here, for both commands.
 */
public final class AnswerOptions {
    static final int MAX_NEW_TOKENS = 4096;

    @Option(names = "--model", paramLabel = "PATH", description = "GGUF model file (or set spark.starspark.model)")
    String model;

    @Option(names = "--max-new-tokens", defaultValue = "64",
            description = "1.." + MAX_NEW_TOKENS + " per answer (default ${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--master", description = "Spark master for star/sparse (default: spark-submit's, else local[2])")
    String master;

    @Mixin
    StarOptions starOptions;

    @Mixin
    ExecutorWaitOptions executorWait;

    @Mixin
    SettingsOptions settingsOptions;

    /** The validated settings, after checking {@code --max-new-tokens}. */
    public StarSettings settings() {
        requireMaxNewTokens(maxNewTokens);
        return starOptions.settings(settingsOptions, model);
    }

    /** The one check of the answer length (CLI and {@link StarSpark.Builder}). */
    static void requireMaxNewTokens(int maxNewTokens) {
        if (maxNewTokens < 1 || maxNewTokens > MAX_NEW_TOKENS) {
            throw new UserError("--max-new-tokens must be between 1 and " + MAX_NEW_TOKENS + " (got " + maxNewTokens + ")");
        }
    }

    /** The model of {@code --model}, else of {@code spark.starspark.model}. */
    public LlamaModel loadModel(StarSettings settings) {
        return Models.load(model != null ? model : settings.model());
    }

    /** The answerer of the settings' attention mode; {@code appName} names the Spark application. */
    Answerer open(LlamaModel m, StarSettings settings, Sampler sampler, String appName) {
        return Answerer.open(m, settings, maxNewTokens, sampler, appName, master, settingsOptions.sparkConf(),
                starOptions.reprefill, executorWait);
    }

    /** A Spark context for {@link Answerer#over}, after waiting for {@code --expect-executors}; the caller closes it. */
    public JavaSparkContext spark(StarSettings settings, String appName) {
        JavaSparkContext jsc = Spark.open(appName, master, settings, settingsOptions.sparkConf(),
                executorWait.waitSeconds());
        executorWait.await(jsc);
        return jsc;
    }

    /** {@code --max-new-tokens}, checked by {@link #settings()}. */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** The {@code --attention/--block-size/...} flags. */
    public StarOptions starOptions() {
        return starOptions;
    }

    /** Full attention on this JVM, whatever the settings say (generate --prompt). */
    Answerer full(LlamaModel m, StarSettings settings, Sampler sampler) {
        return new Answerer.Full(m, settings, maxNewTokens, sampler, settingsOptions.sparkConf());
    }
}
