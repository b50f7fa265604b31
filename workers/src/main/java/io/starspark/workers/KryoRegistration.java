package io.starspark.workers;

import com.esotericsoftware.kryo.Kryo;
import io.starspark.kernels.KernelsChoice;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.kernels.KvDtype;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.diag.ClusterProbe;
import java.net.URI;
import java.util.List;
import org.apache.spark.serializer.KryoRegistrator;

/**
 * Registers every class we send through Spark's Kryo (task results, broadcasts, shuffles).
 * {@code spark.kryo.registrationRequired=true} makes a missing entry fail loudly, so add each
 * new class that crosses the wire to {@link #CLASSES}. Records get a {@link RecordSerializer}
 * (Spark's Kryo 4 cannot set a record's final fields).
 */
public class KryoRegistration implements KryoRegistrator {

    /** Classes shipped between driver and executors; order does not matter (Kryo ids are per class name). */
    static final List<Class<?>> CLASSES = List.of(
            Object[].class,
            int[].class,
            float[].class,
            long[].class,
            URI.class,
            KernelsChoice.class,
            KvDtype.class,
            AttentionMode.class,
            StarSettings.class,
            ClusterProbe.TaskReport.class,
            ClusterProbe.TaskReport[].class,
            java.util.ArrayList.class,
            BlockSpec.class,
            PrefillWork.class,
            PrefillConf.class,
            io.starspark.kv.KvLayout.class,
            BlockResult.class,
            BlockResult[].class);

    @Override
    public void registerClasses(Kryo kryo) {
        for (Class<?> type : CLASSES) {
            register(kryo, type);
        }
    }

    /**
     * Registers one class with the serializer it needs. {@link URI} is registered plainly: Spark's KryoSerializer
     * applies chill's serializers after the registrators, and chill's {@code URISerializer} is the one used.
     */
    static void register(Kryo kryo, Class<?> type) {
        if (type.isRecord()) {
            kryo.register(type, new RecordSerializer<>(type));
        } else {
            kryo.register(type);
        }
    }
}
