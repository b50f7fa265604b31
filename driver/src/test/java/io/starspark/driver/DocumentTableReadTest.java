package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.StarSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The documents table read from files through one local Spark SQL session: JSONL (BOM, blank lines) and Parquet. */
class DocumentTableReadTest {
    static SparkSession spark;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() {
        spark = Spark.session("document-table-test", "local[1]", StarSettings.defaults(), Map.of(), 60);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<DocumentTable.Input> read(String location, DocumentTable.Format format) {
        return DocumentTable.collect(location, DocumentTable.read(spark, location, format));
    }

    @Test
    void jsonLinesWithAByteOrderMarkAndBlankLines() throws IOException {
        Path in = tmp.resolve("docs.jsonl");
        Files.writeString(in, "\uFEFF{\"id\": \"a\", \"document\": \"Once\", \"questions\": [\" Lily\"]}\n\n  \n"
                + "{\"id\": \"b\", \"document_path\": \"/d.txt\", \"questions\": [\"q\", \"r\"], \"chat\": true}\n",
                StandardCharsets.UTF_8);
        assertEquals(List.of(new DocumentTable.Input(1, "a", "Once", null, List.of(" Lily"), false),
                new DocumentTable.Input(2, "b", null, "/d.txt", List.of("q", "r"), true)),
                read(in.toString(), DocumentTable.Format.JSONL));
    }

    @Test
    void parquetAndWhatIsNotParquet() throws IOException {
        Path json = tmp.resolve("docs.jsonl");
        Files.writeString(json, "{\"id\": \"a\", \"document\": \"Once\", \"questions\": [\" Lily\"]}\n");
        Path parquet = tmp.resolve("docs.parquet");
        DocumentTable.read(spark, json.toString(), DocumentTable.Format.JSONL).write().parquet(parquet.toString());
        assertEquals(List.of(new DocumentTable.Input(1, "a", "Once", null, List.of(" Lily"), false)),
                read(parquet.toUri().toString(), DocumentTable.Format.PARQUET));
        String message = assertThrows(UserError.class, () -> read(json.toString(), DocumentTable.Format.PARQUET))
                .getMessage();
        assertTrue(message.startsWith(json + " is not readable as parquet: "), message);
    }

    @Test
    void aMissingFileIsNamed() {
        Path missing = tmp.resolve("nope.jsonl");
        assertEquals("file not found: " + missing, assertThrows(UserError.class,
                () -> DocumentTable.read(spark, missing.toString(), DocumentTable.Format.JSONL)).getMessage());
    }

    @Test
    void aBadSchemaIsRefusedBeforeAnyRowIsRead() {
        // collecting a row would run raise_error: the schema check must come first
        assertEquals("t: column document must be a string (is int)", assertThrows(UserError.class,
                () -> DocumentTable.collect("t", spark.sql("SELECT 'a' AS id, 1 AS document,"
                        + " array(raise_error('a row was read')) AS questions"))).getMessage());
    }

    @Test
    void badWaitOptionsAreRefusedOnAnyMaster() {
        ExecutorWaitOptions wait = new ExecutorWaitOptions();
        wait.expectExecutors = 0;
        wait.waitSeconds = 1;
        assertEquals("--expect-executors and --wait-seconds must be positive", assertThrows(UserError.class,
                () -> wait.await(JavaSparkContext.fromSparkContext(spark.sparkContext()))).getMessage());
    }

    @Test
    void onALocalMasterThereAreNoExecutorsToWaitFor() {
        ExecutorWaitOptions wait = new ExecutorWaitOptions();
        wait.expectExecutors = 3;
        wait.waitSeconds = 1;
        wait.await(JavaSparkContext.fromSparkContext(spark.sparkContext())); // else: "only 0 of 3 executors ..."
    }
}
