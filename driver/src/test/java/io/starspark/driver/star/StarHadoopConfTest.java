package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.SchemeFs;
import io.starspark.model.Sampler;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hadoop settings given as {@code spark.hadoop.*} (file system implementations, credentials, name services)
 * reach the phase-1 tasks, not only the driver: the K/V live on a scheme only those settings define.
 */
class StarHadoopConfTest {
    @TempDir
    Path tmp;

    @Test
    void tasksSeeSparkHadoopSettings() throws Exception {
        JsonNode c = StarGoldenTest.goldenCase();
        int[] context = StarGoldenTest.ints(c.get("context_ids"));
        SparkConf conf = new SparkConf().setMaster("local[2]").setAppName("starspark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1")
                .set("spark.hadoop." + SchemeFs.IMPL_KEY, SchemeFs.class.getName());
        StarSparkConf.configure(conf, StarSettings.defaults());
        try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
            String kvDir = SchemeFs.SCHEME + "://" + tmp.toAbsolutePath();
            StarRequest r = StarRequest.builder().model(StarGoldenTest.MODEL).context(context)
                    .question(StarGoldenTest.ints(c.get("question_ids"))).maxNewTokens(c.get("new_tokens").asInt())
                    .blocks(c.get("block_size").asInt(), c.get("anchor_size").asInt(), 16).kvDir(kvDir)
                    .dtype(KvDtype.F32).kernels(StarGoldenTest.KERNELS).partitions(2).build();
            StarAnswer a = StarRunner.answer(jsc, r, Sampler.greedy());
            assertArrayEquals(StarGoldenTest.ints(c.get("star").get("ids")), a.ids(), "golden star ids");
            try (var blocks = Files.list(tmp.resolve(a.docId()).resolve("blocks"))) {
                assertEquals(a.prefill().blocks(), blocks.count(), "the tasks wrote every block under " + kvDir);
            }
        }
    }
}
