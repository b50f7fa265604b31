package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.errors.UserError;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The answer path's options as picocli fills them from a command line, without Spark: settings from system
 * properties, a {@code --settings} file, {@code -c} pairs and the attention/K/V flags, in that precedence; every
 * bad value a {@link UserError} naming it.
 */
class AnswerOptionsTest {
    static final String BLOCK = "spark.starspark.blockSize";
    static final String PAGE = "spark.starspark.pageSize";

    @TempDir
    Path tmp;

    @AfterEach
    void clearProperties() {
        System.clearProperty(BLOCK);
        System.clearProperty(PAGE);
        System.clearProperty("spark.executor.memory");
    }

    static AnswerOptions parse(String... args) {
        return CommandLine.populateCommand(new AnswerOptions(), args);
    }

    private Path file(String name, String text) throws IOException {
        return Files.writeString(tmp.resolve(name), text, StandardCharsets.ISO_8859_1);
    }

    private static String error(Runnable r) {
        return assertThrows(UserError.class, r::run).getMessage();
    }

    @Test
    void defaultsAreTheSettingsDefaults() {
        AnswerOptions o = parse();
        assertEquals(StarSettings.defaults(), o.settings());
        assertEquals(StarSettings.defaults(), o.settingsOptions.settings());
        assertEquals(512, parse("-c", BLOCK + "=512").settingsOptions.settings().blockSize());
        assertEquals(64, o.maxNewTokens());
        assertSame(o.starOptions, o.starOptions());
        assertFalse(o.starOptions().attentionGiven() || o.starOptions().blockSizeGiven()
                || o.starOptions().anchorSizeGiven() || o.starOptions().topKGiven() || o.starOptions().reprefill());
        assertEquals(Map.of(), o.settingsOptions.sparkConf());
        assertEquals(1, o.executorWait.expectExecutors);
        assertEquals(60, o.executorWait.waitSeconds());
    }

    @Test
    void flagsOverridePairsOverTheFileOverSystemProperties() throws IOException {
        System.setProperty(BLOCK, "512");
        System.setProperty(PAGE, "32");
        System.setProperty("spark.executor.memory", "9g"); // spark-submit's own business, not ours
        assertEquals(512, parse().settings().blockSize());
        Path settings = file("job.properties", BLOCK + "=256\n" + PAGE + "=16\nspark.executor.cores = 3\n");
        assertEquals(256, parse("--settings", settings.toString()).settings().blockSize());
        assertEquals(16, parse("--settings", settings.toString()).settings().pageSize());
        AnswerOptions pairs = parse("--settings", settings.toString(), "-c", BLOCK + " = 128 ", "--conf",
                "spark.executor.memory=2g", "-c", "spark.starspark.kernels=reference");
        assertEquals(128, pairs.settings().blockSize());
        assertEquals(KernelsChoice.REFERENCE, pairs.settings().kernels());
        assertEquals(Map.of("spark.executor.cores", "3", "spark.executor.memory", "2g"), pairs.settingsOptions.sparkConf());
        assertEquals(Map.of(BLOCK, "128", PAGE, "16", "spark.starspark.kernels", "reference"),
                pairs.settingsOptions.raw());
        AnswerOptions flags = parse("--settings", settings.toString(), "-c", BLOCK + "=128", "--block-size", "64",
                "--anchor-size", "48", "--page-size", "8", "--attention", "sparse", "--kv-dir", "hdfs://nn/kv",
                "--kv-dtype", "f16", "--top-k", "5", "--kernels", "java", "--model", "m.gguf", "--reprefill",
                "--max-new-tokens", "4096");
        assertEquals(new StarSettings(KernelsChoice.JAVA, 64, 48, 8, URI.create("hdfs://nn/kv"), KvDtype.F16,
                AttentionMode.SPARSE, 5, 1, 1, "m.gguf", 64L << 30), flags.settings());
        assertTrue(flags.starOptions().attentionGiven() && flags.starOptions().blockSizeGiven()
                && flags.starOptions().anchorSizeGiven() && flags.starOptions().topKGiven()
                && flags.starOptions().reprefill());
        assertEquals(4096, flags.maxNewTokens());
        assertEquals(new SparseSettings(5, 1, 1), StarOptions.sparse(flags.settings()));
        assertNull(StarOptions.sparse(parse("--attention", "star").settings()), "star reads every page");
    }

    @Test
    void badValuesAreUserErrors() throws IOException {
        assertEquals("--max-new-tokens must be between 1 and 4096 (got 0)",
                error(() -> parse("--max-new-tokens", "0").settings()));
        assertEquals("--max-new-tokens must be between 1 and 4096 (got 4097)",
                error(() -> parse("--max-new-tokens", "4097").settings()));
        assertEquals(1, parse("--max-new-tokens", "1").maxNewTokens());
        parse("--max-new-tokens", "1").settings();
        assertEquals("--conf wants KEY=VALUE (got 'spark.starspark.blockSize')",
                error(() -> parse("-c", BLOCK).settings()));
        assertEquals("--conf wants KEY=VALUE (got '=5')", error(() -> parse("-c", "=5").settings()));
        assertEquals("setting blockSize is neither a starspark key (spark.starspark.*) nor a Spark key (spark.*)",
                error(() -> parse("-c", "blockSize=5").settings()));
        assertEquals("spark.starspark.attention must be one of full|star|sparse (got 'dense')",
                error(() -> parse("--attention", "dense").settings()));
        assertEquals("spark.starspark.pageSize must be a positive integer (got '0')",
                error(() -> parse("--page-size", "0").settings()));
        Path missing = tmp.resolve("nope.properties");
        assertEquals("settings file not found: " + missing, error(() -> parse("--settings", missing.toString()).settings()));
        assertEquals("cannot read settings file " + tmp + ": Is a directory",
                error(() -> parse("--settings", tmp.toString()).settings()));
        Path badEscape = file("bad.properties", BLOCK + "=\\u12\n");
        assertEquals("settings file " + badEscape + " is not a valid properties file: Malformed \\uxxxx encoding.",
                error(() -> parse("--settings", badEscape.toString()).settings()));
        Path badValue = file("value.properties", PAGE + "=16\n" + BLOCK + "=lots\n");
        assertEquals("settings file " + badValue + ": spark.starspark.blockSize must be a positive integer (got 'lots')",
                error(() -> parse("--settings", badValue.toString()).settings()));
        Path badKey = file("key.properties", "blocksize=64\n");
        assertEquals("settings file " + badKey + ": setting blocksize is neither a starspark key (spark.starspark.*)"
                + " nor a Spark key (spark.*)", error(() -> parse("--settings", badKey.toString()).settings()));
        Path typo = file("typo.properties", "spark.starspark.blocksize=64\n");
        assertEquals("settings file " + typo + ": unknown setting spark.starspark.blocksize; did you mean "
                + "spark.starspark.blockSize?", error(() -> parse("--settings", typo.toString()).settings()));
        Path crossKey = file("cross.properties", BLOCK + "=100\n");
        assertEquals("spark.starspark.blockSize must be a positive multiple of spark.starspark.pageSize (got 100, "
                + "pageSize 64)", error(() -> parse("--settings", crossKey.toString()).settings()),
                "a rule between keys is checked on the merged settings, not per file entry");
    }

    @Test
    void theModelComesFromTheFlagElseTheSetting() {
        AnswerOptions flag = parse("--model", Cli.MODEL, "-c", "spark.starspark.model=/elsewhere.gguf");
        StarSettings settings = flag.settings();
        assertEquals(Cli.MODEL, settings.model());
        LlamaModel m = flag.loadModel(StarSettings.from(Map.of("spark.starspark.model", "/elsewhere.gguf")));
        assertEquals(Path.of(Cli.MODEL).toAbsolutePath().normalize(), m.path());
        assertSame(m, parse().loadModel(settings));
        assertEquals("no model given: pass --model FILE.gguf or set spark.starspark.model",
                error(() -> parse().loadModel(StarSettings.defaults())));
    }

    @Test
    void fullAttentionAnswersOnThisJvmAndTakesNoSparkSettings() {
        AnswerOptions o = parse("--model", Cli.MODEL, "--attention", "full", "-c", "spark.starspark.kernels=java");
        StarSettings settings = o.settings();
        LlamaModel m = o.loadModel(settings);
        try (Answerer full = o.full(m, settings, Sampler.greedy())) {
            assertInstanceOf(Answerer.Full.class, full);
        }
        try (Answerer open = o.open(m, settings, Sampler.greedy(), "test")) {
            assertInstanceOf(Answerer.Full.class, open);
        }
        AnswerOptions spark = parse("--model", Cli.MODEL, "--attention", "full", "-c", "spark.executor.memory=2g");
        assertEquals("full attention runs no Spark, so the Spark settings [spark.executor.memory] would have no effect;"
                + " drop them or use --attention star",
                error(() -> spark.full(m, spark.settings(), Sampler.greedy()).close()));
    }

    @Test
    void kernelsCompletionListsEveryChoice() {
        List<String> listed = StreamSupport.stream(new StarOptions.KernelsChoices().spliterator(), false).toList();
        assertEquals(List.of("auto", "java", "aparapi", "reference"), listed);
    }
}
