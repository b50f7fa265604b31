package io.starspark.workers.conf;

import io.starspark.workers.KryoRegistration;
import org.apache.spark.SparkConf;

/** Puts everything a starspark job needs into a SparkConf: Kryo, executor JVM flags, our settings. */
public final class StarSparkConf {

    public static final String KRYO_SERIALIZER = "org.apache.spark.serializer.KryoSerializer";

    private StarSparkConf() {
    }

    /**
     * Sets the Kryo serializer with required registration and our registrator, appends the
     * {@link JvmFlags} to {@code spark.executor.extraJavaOptions}, preloads libjsig in executors
     * (unless already set), and writes every resolved {@code spark.starspark.*} value.
     */
    public static SparkConf configure(SparkConf conf, StarSettings settings) {
        conf.set("spark.serializer", KRYO_SERIALIZER);
        conf.set("spark.kryo.registrationRequired", "true");
        conf.set("spark.kryo.registrator", KryoRegistration.class.getName());
        conf.set("spark.executor.extraJavaOptions", withFlags(conf.get("spark.executor.extraJavaOptions", "")));
        if (!conf.contains("spark.executorEnv.LD_PRELOAD")) {
            conf.set("spark.executorEnv.LD_PRELOAD", System.getProperty("java.home") + "/lib/libjsig.so");
        }
        settings.toConf().forEach(conf::set);
        return conf;
    }

    /** {@code existing} plus every JVM flag it does not contain yet. */
    static String withFlags(String existing) {
        StringBuilder options = new StringBuilder(existing.trim());
        for (String flag : JvmFlags.list()) {
            if (!(" " + existing + " ").contains(" " + flag + " ")) {
                options.append(options.length() == 0 ? "" : " ").append(flag);
            }
        }
        return options.toString();
    }
}
