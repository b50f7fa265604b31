package io.starspark.driver;

import io.starspark.workers.conf.StarSettings;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.SparkBuildInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code starspark info}: versions and the effective settings (kernels choice first). */
@Command(name = "info", aliases = "version", description = "Print versions, Java and the effective settings.")
final class InfoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SettingsOptions settingsOptions;

    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        StarSettings settings = settingsOptions.settings();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("starspark", Version.get());
        info.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")");
        info.put("javaHome", System.getProperty("java.home"));
        info.put("spark", SparkBuildInfo.spark_version());
        info.put("kernels", settings.kernels().toString());
        info.put("settings", settings.toConf());
        output.print(spec.commandLine().getOut(), info);
        return ErrorContract.EXIT_OK;
    }
}
