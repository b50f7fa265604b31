package io.starspark.workers;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.starspark.kernels.KernelsChoice;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.kv.KvDtype;
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

    /** Registers one class with the serializer it needs. */
    static void register(Kryo kryo, Class<?> type) {
        if (type.isRecord()) {
            kryo.register(type, new RecordSerializer<>(type));
        } else if (type == URI.class) {
            kryo.register(type, new UriSerializer());
        } else {
            kryo.register(type);
        }
    }

    /** A URI as its string form. */
    static final class UriSerializer extends Serializer<URI> {
        UriSerializer() {
            setImmutable(true);
        }

        @Override
        public void write(Kryo kryo, Output output, URI uri) {
            output.writeString(uri.toString());
        }

        @Override
        public URI read(Kryo kryo, Input input, Class<URI> type) {
            return URI.create(input.readString());
        }
    }
}
