package io.starspark.driver;

import static io.starspark.driver.Cli.KERNELS;
import static io.starspark.driver.Cli.assertUserError;
import static io.starspark.driver.Cli.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.Generator;
import io.starspark.model.LlamaModel;
import io.starspark.model.Oracle;
import io.starspark.model.Sampler;
import io.starspark.model.gguf.GgufWriter;
import io.starspark.model.synth.SyntheticModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code generate --chat} as a user runs it on a Llama 3 style Q4_K_M file (llama3-tiny, the real Llama 3 vocabulary
 * and chat template): the prompt becomes exactly the ids Hugging Face's {@code apply_chat_template} gives (the
 * model module's chat golden), and the answer equals greedy decoding of those ids by {@link Generator}. This runs
 * Jinjava on the driver's classpath, i.e. with the guava Spark brings (32.0.0), as the application jar does.
 */
class ChatGenerateTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    private static Path model;
    private static JsonNode chatCases;

    @BeforeAll
    static void setUp() throws IOException {
        model = tmp.resolve("llama3-tiny-q4_k_m.gguf");
        SyntheticModels.write("llama3-tiny", "q4_k_m", 1, Oracle.tokenizerDir("llama3"), model);
        chatCases = JSON.readTree(Path.of("../model/src/test/resources/golden/chat-templates.json").toFile())
                .get("families").get("llama3");
    }

    /** The golden conversation [system, user] with the generation prompt, and its HF ids. */
    private static JsonNode systemCase() {
        for (JsonNode c : chatCases) {
            if (c.get("messages").size() == 2 && c.get("add_generation_prompt").asBoolean()
                    && c.get("messages").get(0).get("role").asText().equals("system")) {
                return c;
            }
        }
        throw new AssertionError("no [system, user] case in chat-templates.json");
    }

    private static int[] greedy(int[] prompt, int n) {
        try (JavaKernels k = new JavaKernels(2)) {
            return new Generator(LlamaModel.load(model), k).generate(prompt, n, Sampler.greedy()).ids();
        }
    }

    @Test
    void promptIsTheTemplatesIds() throws IOException {
        JsonNode c = systemCase();
        Cli.Result r = run("generate", "--model", model.toString(), "--chat",
                "--system", c.get("messages").get(0).get("content").asText(),
                "--prompt", c.get("messages").get(1).get("content").asText(),
                "--max-new-tokens", "6", "--json", "-c", "spark.starspark.kernels=" + KERNELS);
        assertEquals(0, r.code(), r.err());
        JsonNode out = JSON.readTree(r.out());
        int[] hf = Cli.ints(c.get("ids"));
        assertEquals(hf.length, out.get("prompt_tokens").asInt(), "prompt tokens = HF apply_chat_template's");
        assertArrayEquals(greedy(hf, 6), Cli.ints(out.get("ids")), "the answer to HF's ids");
    }

    @Test
    void questionTurnFollowsTheRawContext() throws IOException {
        JsonNode c = systemCase();
        String contextText = "The ship left the harbour at dawn and reached the island two days later.";
        Path context = Files.writeString(tmp.resolve("context.txt"), contextText);
        Cli.Result r = run("generate", "--model", model.toString(), "--chat", "--attention", "full",
                "--system", c.get("messages").get(0).get("content").asText(),
                "--context-file", context.toString(), "--question", c.get("messages").get(1).get("content").asText(),
                "--max-new-tokens", "6", "--json", "-c", "spark.starspark.kernels=" + KERNELS);
        assertEquals(0, r.code(), r.err());
        JsonNode out = JSON.readTree(r.out());
        LlamaModel m = LlamaModel.load(model);
        int[] ctx = m.tokenizer().encode(contextText, true, true);
        int[] hf = Cli.ints(c.get("ids"));
        assertEquals(m.tokenizer().bos(), hf[0], "HF's rendering starts with BOS");
        // context as raw text (BOS + text), then the template's turns without their BOS
        int[] expected = IntStream.concat(IntStream.of(ctx), Arrays.stream(hf, 1, hf.length)).toArray();
        assertEquals(ctx.length, out.get("context_tokens").asInt());
        assertEquals(expected.length, out.get("prompt_tokens").asInt());
        assertArrayEquals(greedy(expected, 6), Cli.ints(out.get("ids")));
    }

    @Test
    void runRowWithChatAnswersLikeGenerate() throws IOException {
        JsonNode c = chatCases.get(0); // [user] with the generation prompt
        assertEquals(1, c.get("messages").size());
        String contextText = "The ship left the harbour at dawn.";
        String question = c.get("messages").get(0).get("content").asText();
        Path in = Files.writeString(tmp.resolve("chat.jsonl"), JSON.createObjectNode().put("id", "a")
                .put("document", contextText).put("chat", true).set("questions", JSON.createArrayNode().add(question))
                .toString() + "\n");
        Path out = tmp.resolve("chat-out");
        Cli.Result r = run("run", "--model", model.toString(), "--input", in.toString(), "--output", out.toString(),
                "--max-new-tokens", "4", "--attention", "full", "--kernels", KERNELS);
        assertEquals(0, r.code(), r.err());
        JsonNode row = RunCommandTest.rows(out).get(0);
        LlamaModel m = LlamaModel.load(model);
        int[] hf = Cli.ints(c.get("ids"));
        int[] expected = IntStream.concat(IntStream.of(m.tokenizer().encode(contextText, true, true)),
                Arrays.stream(hf, 1, hf.length)).toArray();
        assertArrayEquals(greedy(expected, 4), Cli.ints(row.get("ids")));
    }

    @Test
    void systemWithoutChatAndModelWithoutTemplate() {
        assertUserError(run("generate", "--model", model.toString(), "--system", "terse", "--prompt", "hi"),
                "--system needs --chat");
        assertUserError(run("generate", "--model", Cli.MODEL, "--chat", "--prompt", "hi"),
                "stories260K.gguf has no chat template (tokenizer.chat_template); drop --chat / \"chat\": true");
    }

    @Test
    void unsupportedArchitectureAndTensorTypeAreOneLine() {
        Path gemma = tmp.resolve("gemma.gguf");
        GgufWriter w = SyntheticModels.writer(SyntheticModels.shape("llama3-tiny"), "f32", 1, Oracle.tokenizerDir("llama3"));
        w.putString("general.architecture", "gemma2");
        w.write(gemma);
        String message = Cli.userErrorMessage(run("generate", "--model", gemma.toString(), "--prompt", "hi"));
        assertTrue(message.contains("gemma.gguf") && message.contains("unsupported architecture 'gemma2'"), message);

        Path iq = tmp.resolve("iq2.gguf");
        GgufWriter v = SyntheticModels.writer(SyntheticModels.shape("llama3-tiny"), "f32", 1, Oracle.tokenizerDir("llama3"));
        v.rawTensor("extra.weight", 16, new long[] {256}, new byte[66]); // 16 = IQ2_XXS, 66 bytes per 256
        v.write(iq);
        message = Cli.userErrorMessage(run("generate", "--model", iq.toString(), "--prompt", "hi"));
        assertTrue(message.contains("iq2.gguf") && message.contains("extra.weight") && message.contains("unsupported type"),
                message);
    }
}
