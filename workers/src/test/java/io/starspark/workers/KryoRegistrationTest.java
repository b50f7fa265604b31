package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import io.starspark.workers.diag.ClusterProbe;
import java.nio.ByteBuffer;
import java.util.Map;
import org.apache.spark.SparkConf;
import org.apache.spark.serializer.KryoSerializer;
import org.apache.spark.serializer.SerializerInstance;
import org.junit.jupiter.api.Test;
import scala.reflect.ClassTag$;

/** Round trips through Spark's own KryoSerializer configured exactly as jobs configure it. */
class KryoRegistrationTest {

    private final SerializerInstance kryo = new KryoSerializer(
            StarSparkConf.configure(new SparkConf(false), StarSettings.defaults())).newInstance();

    private <T> T roundTrip(T value) {
        ByteBuffer bytes = kryo.serialize(value, ClassTag$.MODULE$.apply(Object.class));
        return kryo.deserialize(bytes, ClassTag$.MODULE$.apply(Object.class));
    }

    @Test
    void recordsSurviveAndAreRevalidated() {
        StarSettings settings = StarSettings.from(Map.of("spark.starspark.kvDir", "hdfs://nn:8020/kv",
                "spark.starspark.blockSize", "128", "spark.starspark.pageSize", "16"));
        assertEquals(settings, roundTrip(settings));
        ClusterProbe.TaskReport[] reports = {
            new ClusterProbe.TaskReport(0, "1", 10, 4, "java"), new ClusterProbe.TaskReport(1, "2", -3, 1, "auto")};
        assertArrayEquals(reports, roundTrip(reports));
    }

    @Test
    void phaseOneTasksAndResultsCrossTheWire() {
        BlockSpec spec = new BlockSpec(2, 64, new int[] {5, 6, 7}, new int[] {0, 64, 65}, 1);
        BlockSpec back = roundTrip(spec);
        assertEquals(2, back.blockIndex());
        assertEquals(64, back.firstToken());
        assertArrayEquals(spec.tokens(), back.tokens());
        assertArrayEquals(spec.positions(), back.positions());
        assertEquals(1, back.keptOffset());
        PrefillWork work = new PrefillWork(2, new PrefillConf("m.gguf", "file:/kv/doc", new io.starspark.kv.KvLayout(5, 4,
                8, 16, io.starspark.kernels.KvDtype.F16), "bind", io.starspark.kernels.KernelsChoice.JAVA, new int[] {1}),
                java.util.List.of(spec));
        PrefillWork workBack = roundTrip(work);
        assertEquals(2, workBack.doc());
        assertEquals(work.conf().layout(), workBack.conf().layout());
        assertEquals("bind", workBack.conf().binding());
        assertArrayEquals(new int[] {1}, workBack.conf().failFirstAttemptBlocks());
        assertArrayEquals(spec.tokens(), workBack.blocks().get(0).tokens());
        BlockResult[] results = {new BlockResult(3, 0, 1L << 33, "7", 1, 123L), new BlockResult(0, 1, 5, "local", 0, 0)};
        assertArrayEquals(results, roundTrip(results));
        java.net.URI uri = java.net.URI.create("hdfs://nn:8020/kv/doc-1?x=1#f");
        assertEquals(uri, roundTrip(uri));
    }

    /** A record is rebuilt through its canonical constructor, so bytes that make an invalid one fail to read. */
    @Test
    void readingRunsTheRecordsChecks() {
        com.esotericsoftware.kryo.Kryo k = new com.esotericsoftware.kryo.Kryo();
        k.setRegistrationRequired(true);
        k.setReferences(false); // the bytes below are the components alone, with no reference marker before them
        new KryoRegistration().registerClasses(k);
        com.esotericsoftware.kryo.io.Output out = new com.esotericsoftware.kryo.io.Output(256);
        for (Object component : new Object[] {2, 64, new int[] {5, 6, 7}, new int[] {0, 64}, 1}) {
            k.writeClassAndObject(out, component); // BlockSpec's components, with one position too few
        }
        com.esotericsoftware.kryo.KryoException e = assertThrows(com.esotericsoftware.kryo.KryoException.class,
                () -> k.readObject(new com.esotericsoftware.kryo.io.Input(out.toBytes()), BlockSpec.class));
        assertEquals("cannot rebuild record io.starspark.workers.BlockSpec", e.getMessage());
        assertEquals("block 2: 3 tokens but 2 positions", e.getCause().getCause().getMessage());
    }

    @Test
    void unregisteredClassesFailLoudly() {
        record Unregistered(int x) {
        }
        Exception e = assertThrows(Exception.class, () -> roundTrip(new Unregistered(1)));
        assertTrue(String.valueOf(e.getMessage()).contains("Class is not registered"), e.getMessage());
    }

    @Test
    void jobConfHasKryoAndExecutorFlags() {
        SparkConf conf = StarSparkConf.configure(new SparkConf(false)
                .set("spark.executor.extraJavaOptions", "-Xss4m --add-modules=jdk.incubator.vector"), StarSettings.defaults());
        String options = conf.get("spark.executor.extraJavaOptions");
        assertTrue(options.startsWith("-Xss4m --add-modules=jdk.incubator.vector -XX:+IgnoreUnrecognizedVMOptions"), options);
        assertEquals(1, options.split("--add-modules=jdk.incubator.vector", -1).length - 1, options);
        assertTrue(options.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), options);
        assertEquals("true", conf.get("spark.kryo.registrationRequired"));
        assertTrue(conf.get("spark.executorEnv.LD_PRELOAD").endsWith("/lib/libjsig.so"));
    }
}
