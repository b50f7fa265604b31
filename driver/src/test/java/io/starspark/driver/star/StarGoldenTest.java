package io.starspark.driver.star;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.kernels.KvDtype;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import io.starspark.model.Logits;
import io.starspark.model.Sampler;
import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.KernelsChoice;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.conf.StarSettings;
import io.starspark.workers.conf.StarSparkConf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.IntStream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The golden Star Attention case of ../shared/golden/stories260K-star.json, run on Spark. */
class StarGoldenTest {
    static final Path SHARED = Path.of(System.getProperty("starspark.shared", "../../shared"));
    static final KernelsChoice KERNELS =
            KernelsChoice.valueOf(System.getProperty("test.kernels", "java").toUpperCase(java.util.Locale.ROOT));
    static final String MODEL = SHARED.resolve("models/stories260K.gguf").toString();

    @TempDir
    Path tmp;

    static JsonNode goldenCase() throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(SHARED.resolve("golden/stories260K-star.json")))
                .get("cases").get(0);
    }

    static int[] ints(JsonNode array) {
        return IntStream.range(0, array.size()).map(i -> array.get(i).asInt()).toArray();
    }

    static JavaSparkContext spark(String master) {
        SparkConf conf = new SparkConf().setMaster(master).setAppName("starspark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        // the production configuration: Kryo with every wire class registered (registrationRequired)
        StarSparkConf.configure(conf, StarSettings.defaults());
        return new JavaSparkContext(conf);
    }

    /** The golden case with these blocks, pages of 16, F32 K/V under {@code tmp}. */
    StarRequest.Builder request(JsonNode c, int blockSize, int anchorSize, int partitions) {
        return StarRequest.builder().model(MODEL).context(ints(c.get("context_ids")))
                .question(ints(c.get("question_ids"))).maxNewTokens(c.get("new_tokens").asInt())
                .blocks(blockSize, anchorSize, 16).kvDir(tmp.toUri().toString()).dtype(KvDtype.F32).kernels(KERNELS)
                .partitions(partitions);
    }

    @Test
    void tokenizationMatchesGolden() throws IOException {
        JsonNode c = goldenCase();
        LlamaModel model = ModelRegistry.get(MODEL);
        assertArrayEquals(ints(c.get("context_ids")), model.tokenizer().encode(c.get("context_text").asText(), true, true));
        assertArrayEquals(ints(c.get("question_ids")), model.tokenizer().encode(c.get("question").asText(), false, false));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"local[1]", "local[2]"})
    void goldenStarCaseReproduces(String master) throws IOException {
        JsonNode c = goldenCase();
        JsonNode star = c.get("star");
        try (JavaSparkContext jsc = spark(master)) {
            StarAnswer a = StarRunner.answer(jsc, request(c, c.get("block_size").asInt(), c.get("anchor_size").asInt(),
                    jsc.defaultParallelism()).build(), Sampler.greedy());
            assertArrayEquals(ints(star.get("ids")), a.ids(), "star greedy ids");
            int[] top = ints(star.get("first_top10_ids"));
            for (int i = 0; i < top.length; i++) {
                assertEquals(star.get("first_top10_logits").get(i).asDouble(), a.firstLogits()[top[i]], 1e-3,
                        "first-token logit of id " + top[i]);
            }
            assertEquals(5, a.prefill().blocks());
            assertEquals(ModelRegistry.get(MODEL).tokenizer().decode(a.ids()), star.get("text").asText());
        }
    }

    @Test
    void oneBlockStarEqualsFullAttention() throws IOException {
        JsonNode c = goldenCase();
        int[] context = ints(c.get("context_ids"));
        int[] question = ints(c.get("question_ids"));
        LlamaModel model = ModelRegistry.get(MODEL);
        Forward full = new Forward(model, KernelBackends.select(KernelsChoice.JAVA));
        int[] prompt = IntStream.concat(IntStream.of(context), IntStream.of(question)).toArray();
        float[] fullLogits = full.forward(prompt, IntStream.range(0, prompt.length).toArray(), KvCache.forModel(model.config()),
                null, Logits.LAST);
        try (JavaSparkContext jsc = spark("local[2]")) {
            StarAnswer a = StarRunner.answer(jsc, request(c, 320, 64, 2).build(), Sampler.greedy());
            assertEquals(1, a.prefill().blocks());
            double maxDiff = 0;
            for (int i = 0; i < fullLogits.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(fullLogits[i] - a.firstLogits()[i]));
            }
            assertTrue(maxDiff <= 1e-4, "max |Δ logit| star(one block) vs full = " + maxDiff);
            assertArrayEquals(ints(c.get("full").get("ids")), a.ids(), "one-block star = full greedy ids");
        }
    }

    @Test
    void sameTokensOnOneAndTwoExecutorsAndAfterARetry() throws IOException {
        JsonNode c = goldenCase();
        int[] one;
        try (JavaSparkContext jsc = spark("local[1]")) {
            StarAnswer a = StarRunner.answer(jsc, request(c, 64, 32, 1).build(), Sampler.greedy());
            assertEquals(0, a.prefill().retriedTasks());
            one = a.ids();
        }
        tmp = tmp.resolve("two");
        try (JavaSparkContext jsc = spark("local[2]")) {
            StarAnswer two = StarRunner.answer(jsc, request(c, 64, 32, 2).build(), Sampler.greedy());
            assertArrayEquals(one, two.ids(), "1 vs 2 partitions");
        }
        // local[2,2]: two cores, a failed task is retried once. Block 3's first attempt fails after its K/V
        // were written; the retry rewrites the same bytes and the answer is unchanged.
        tmp = tmp.resolve("retry");
        try (JavaSparkContext jsc = spark("local[2,2]")) {
            StarAnswer retried = StarRunner.answer(jsc, request(c, 64, 32, 2).failFirstAttemptOf(3).build(), Sampler.greedy());
            assertTrue(retried.prefill().retriedTasks() > 0, "the injected failure caused a retry");
            assertArrayEquals(one, retried.ids(), "after a forced task retry");
        }
    }
}
