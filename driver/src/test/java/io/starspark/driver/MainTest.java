package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.starspark.errors.UserError;
import io.starspark.model.ModelFormatException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** The CLI's exit-code and stderr contract, run in-process. */
class MainTest {

    /** A test-only subcommand that throws what it is told to. */
    @Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        @Parameters(index = "0")
        String kind;

        @Override
        public Integer call() throws Exception {
            switch (kind) {
                case "user": throw new UserError("model file not found: /x.gguf");
                case "arg": throw new IllegalArgumentException("shape check: 3 rows, expected 4");
                case "model": throw new ModelFormatException("/x.gguf", "not a GGUF file\n(bad magic)");
                case "task-user": return inSparkTask(() -> new UserError("line 3 of the input has no \"document\""));
                case "task-bug": return inSparkTask(() -> new IllegalArgumentException("shape check in a task"));
                case "wrapped": throw new ExecutionException(new UserError("wrapped problem"));
                case "bug": throw new IllegalStateException("index 7 out of bounds");
                default: return 0;
            }
        }
    }

    /** Runs a one-task Spark job whose task throws what {@code error} makes, as phase-1 tasks would. */
    static int inSparkTask(SerializableSupplier error) {
        SparkConf conf = new SparkConf().setMaster("local[1]").setAppName("starspark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        try (JavaSparkContext jsc = new JavaSparkContext(conf)) {
            jsc.parallelize(List.of(1), 1).map(i -> {
                throw error.get();
            }).collect();
        }
        return 0;
    }

    interface SerializableSupplier extends Serializable {
        RuntimeException get();
    }

    record Result(int code, String out, String err) {
        String[] errLines() {
            return err.isEmpty() ? new String[0] : err.split("\\R");
        }
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.newCommandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        cl.addSubcommand("boom", new Boom());
        int code = Main.execute(cl, args);
        return new Result(code, out.toString(), err.toString());
    }

    private static void assertUserError(Result r, String message) {
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().length, "exactly one line on stderr: " + r.err());
        assertEquals("starspark: error: " + message, r.errLines()[0]);
    }

    @Test
    void userErrorsAreOneLineWithExitCode2() {
        assertUserError(run("boom", "user"), "model file not found: /x.gguf");
        assertUserError(run("boom", "model"), "/x.gguf: not a GGUF file (bad magic)");
        assertUserError(run("boom", "wrapped"), "wrapped problem");
        assertUserError(run(), "missing command; try 'starspark --help'");
    }

    @Test
    void parseErrorsAreUserErrors() {
        assertUserError(run("--bogus"), "Unknown option: '--bogus' (see 'starspark --help')");
        assertUserError(run("info", "--conf"), "Missing required parameter for option '--conf' (KEY=VALUE)"
                + " (see 'starspark info --help')");
    }

    @Test
    void badSettingsNameTheKey() {
        assertUserError(run("info", "-c", "spark.starspark.blockSize=100"),
                "spark.starspark.blockSize must be a positive multiple of spark.starspark.pageSize (got 100, pageSize 64)");
        assertUserError(run("info", "-c", "blockSize"), "--conf wants KEY=VALUE (got 'blockSize')");
        assertUserError(run("info", "--settings", "/nonexistent/job.properties"),
                "settings file not found: /nonexistent/job.properties");
    }

    @Test
    void bugsPrintTheStackTraceWithExitCode1() {
        Result r = run("boom", "bug");
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("java.lang.IllegalStateException: index 7 out of bounds"), r.err());
        assertTrue(r.err().contains("\tat io.starspark.driver.MainTest$Boom.call"), r.err());
    }

    @Test
    void anIllegalArgumentIsABugNotAUserError() {
        Result r = run("boom", "arg");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("java.lang.IllegalArgumentException: shape check: 3 rows, expected 4"), r.err());
        assertTrue(r.err().contains("\tat io.starspark.driver.MainTest$Boom.call"), r.err());
    }

    @Test
    void aUserErrorThrownInASparkTaskIsStillOneLine() {
        assertUserError(run("boom", "task-user"), "line 3 of the input has no \"document\"");
    }

    @Test
    void aBugThrownInASparkTaskPrintsTheWholeChain() {
        Result r = run("boom", "task-bug");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("org.apache.spark.SparkException: Job aborted"), r.err());
        assertTrue(r.err().contains("Caused by: java.lang.IllegalArgumentException: shape check in a task"), r.err());
    }

    @Test
    void successAndHelpExitZero() {
        assertEquals(0, run("boom", "ok").code());
        Result help = run("--help");
        assertEquals(0, help.code());
        assertTrue(help.out().contains("info"), help.out());
        assertFalse(help.out().contains("cluster-check"), "diagnostic command is hidden");
    }

    @Test
    void everySubcommandPrintsItsHelpForDashHAndDashDashHelp() {
        CommandLine cli = Main.newCommandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
        assertTrue(cli.getSubcommands().size() >= 8, "subcommands and aliases: " + cli.getSubcommands().keySet());
        for (String name : cli.getSubcommands().keySet()) {
            String canonical = cli.getSubcommands().get(name).getCommandName();
            for (String flag : new String[] {"--help", "-h"}) {
                Result r = run(name, flag);
                assertEquals(0, r.code(), name + " " + flag + ": " + r.err());
                assertEquals("", r.err(), name + " " + flag);
                assertTrue(r.out().contains("Usage: starspark " + canonical), name + " " + flag + ": " + r.out());
            }
        }
    }

    @Test
    void infoPrintsJsonWithVersionsAndKernelsChoice() throws Exception {
        Result r = run("info", "--json", "-c", "spark.starspark.kernels=reference");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals("reference", json.get("kernels").asText());
        assertEquals("4.2.0", json.get("spark").asText());
        assertTrue(json.get("starspark").asText().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), r.out());
        assertEquals(System.getProperty("java.version"), json.get("java").asText().split(" ")[0]);
        assertEquals("64", json.get("settings").get("spark.starspark.pageSize").asText());
    }

    @Test
    void clusterCheckRunsInLocalModeThroughKryo() throws Exception {
        Result r = run("cluster-check", "--master", "local[2]", "--tasks", "3", "--numbers", "100", "--json",
                "-c", "spark.starspark.kernels=java");
        assertEquals(0, r.code(), r.err());
        JsonNode json = new ObjectMapper().readTree(r.out());
        assertEquals(5050, json.get("sum").asLong());
        assertEquals(3, json.get("tasks").asInt());
        assertEquals("java", json.get("kernelsOnExecutors").get(0).asText());
        long perTask = 0;
        for (JsonNode report : json.get("reports")) {
            perTask += report.get("sum").asLong();
        }
        assertEquals(5050, perTask);
        assertUserError(run("cluster-check", "--tasks", "0"),
                "--tasks, --numbers, --expect-executors and --wait-seconds must be positive");
    }
}
