package io.starspark.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.errors.UserError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The documents table's checks on schemas and collected rows as Spark SQL hands them over (no Spark needed):
 * every problem one {@link UserError} naming the input, the row and what is wrong. Reading files through Spark:
 * {@link DocumentTableReadTest}.
 */
class DocumentTableTest {
    static final String IN = "in.jsonl";
    static final DataType STRINGS = DataTypes.createArrayType(DataTypes.StringType);

    static StructType schema(Object... nameAndType) {
        List<StructField> fields = new ArrayList<>();
        for (int i = 0; i < nameAndType.length; i += 2) {
            fields.add(DataTypes.createStructField((String) nameAndType[i], (DataType) nameAndType[i + 1], true));
        }
        return DataTypes.createStructType(fields);
    }

    static final StructType DOCS = schema("id", DataTypes.StringType, "document", DataTypes.StringType,
            "questions", STRINGS);

    /** A row of {@code schema}: lists become the Scala sequences Spark's rows hold. */
    static Row row(StructType schema, Object... values) {
        Object[] v = values.clone();
        for (int i = 0; i < v.length; i++) {
            if (v[i] instanceof List<?> list) {
                v[i] = CollectionConverters.asScala(list).toSeq();
            }
        }
        return new GenericRowWithSchema(v, schema);
    }

    private static String error(StructType schema, Row... rows) {
        return assertThrows(UserError.class, () -> DocumentTable.inputs(IN, schema, Arrays.asList(rows))).getMessage();
    }

    @Test
    void validRowsBecomeInputs() {
        StructType s = schema("id", DataTypes.StringType, "document", DataTypes.StringType, "document_path",
                DataTypes.StringType, "questions", STRINGS, "chat", DataTypes.BooleanType);
        List<DocumentTable.Input> in = DocumentTable.inputs(IN, s, List.of(
                row(s, "a", "Once upon a time", null, List.of(" Lily", " Tom"), null),
                row(s, "b", null, "hdfs://nn/doc.txt", List.of("q"), true),
                row(s, "c", "text", null, List.of("q"), false)));
        assertEquals(List.of(new DocumentTable.Input(1, "a", "Once upon a time", null, List.of(" Lily", " Tom"), false),
                new DocumentTable.Input(2, "b", null, "hdfs://nn/doc.txt", List.of("q"), true),
                new DocumentTable.Input(3, "c", "text", null, List.of("q"), false)), in);
        assertEquals(List.of(new DocumentTable.Input(1, "x", "t", null, List.of("q"), false)),
                DocumentTable.inputs(IN, DOCS, List.of(row(DOCS, "x", "t", List.of("q")))));
    }

    @Test
    void badRowsAreNamed() {
        assertEquals("in.jsonl row 2: missing \"id\"", error(DOCS, row(DOCS, "a", "t", List.of("q")),
                row(DOCS, null, "t", List.of("q"))));
        assertEquals("in.jsonl row 1: \"id\" must be a non-empty string", error(DOCS, row(DOCS, " ", "t", List.of("q"))));
        assertEquals("in.jsonl row 1: \"document\" must be a non-empty string",
                error(DOCS, row(DOCS, "a", "\n", List.of("q"))));
        assertEquals("in.jsonl row 1: missing \"document\" (or \"document_path\")",
                error(DOCS, row(DOCS, "a", null, List.of("q"))));
        StructType both = schema("id", DataTypes.StringType, "document", DataTypes.StringType, "document_path",
                DataTypes.StringType, "questions", STRINGS);
        assertEquals("in.jsonl row 1: give \"document\" or \"document_path\", not both",
                error(both, row(both, "a", "t", "/p", List.of("q"))));
        assertEquals("in.jsonl row 1: \"questions\" must be a non-empty array of strings",
                error(DOCS, row(DOCS, "a", "t", null)));
        assertEquals("in.jsonl row 1: \"questions\" must be a non-empty array of strings",
                error(DOCS, row(DOCS, "a", "t", List.of())));
        assertEquals("in.jsonl row 1: questions[1] must be a non-empty string",
                error(DOCS, row(DOCS, "a", "t", Arrays.asList("q", null))));
        assertEquals("in.jsonl row 1: questions[0] must be a non-empty string",
                error(DOCS, row(DOCS, "a", "t", List.of("", "q"))));
        assertEquals("in.jsonl row 3: duplicate id 'a' (first in row 1)", error(DOCS, row(DOCS, "a", "t", List.of("q")),
                row(DOCS, "b", "t", List.of("q")), row(DOCS, "a", "u", List.of("q"))));
        assertEquals("input in.jsonl has no rows", error(DOCS));
    }

    @Test
    void theFirstLineSparkCouldNotParseIsNamedShortened() {
        StructType s = schema("_corrupt_record", DataTypes.StringType, "id", DataTypes.StringType, "document",
                DataTypes.StringType, "questions", STRINGS);
        String longLine = "{\"id\": \"b\", " + "x".repeat(80);
        assertEquals("in.jsonl row 2: not a valid JSON object: " + longLine.substring(0, 60) + "...",
                error(s, row(s, null, "a", "t", List.of("q")), row(s, longLine, null, null, null),
                        row(s, "{bad", null, null, null)));
        assertEquals("in.jsonl row 1: not a valid JSON object: " + "y".repeat(60),
                error(s, row(s, "y".repeat(60), null, null, null)));
        assertEquals(List.of(new DocumentTable.Input(1, "a", "t", null, List.of("q"), false)),
                DocumentTable.inputs(IN, s, List.of(row(s, null, "a", "t", List.of("q")))),
                "a table whose lines all parsed keeps Spark's corrupt-record column out of the check");
        StructType onlyCorrupt = schema("_corrupt_record", DataTypes.StringType);
        assertEquals("in.jsonl needs columns id, document (or document_path) and questions; it has ",
                error(onlyCorrupt, row(onlyCorrupt, (Object) null)));
    }

    @Test
    void schemasNeedTheColumnsWithTheirTypes() {
        assertEquals("in.jsonl needs columns id, document (or document_path) and questions; it has id, questions",
                schemaError(schema("id", DataTypes.StringType, "questions", STRINGS)));
        assertEquals("in.jsonl needs columns id, document (or document_path) and questions; it has document, questions",
                schemaError(schema("document", DataTypes.StringType, "questions", STRINGS)));
        assertEquals("in.jsonl needs columns id, document (or document_path) and questions; it has id, document",
                schemaError(schema("id", DataTypes.StringType, "document", DataTypes.StringType)));
        assertEquals("in.jsonl: column id must be a string (is bigint)",
                schemaError(schema("id", DataTypes.LongType, "document", DataTypes.StringType, "questions", STRINGS)));
        assertEquals("in.jsonl: column document must be a string (is array<string>)",
                schemaError(schema("id", DataTypes.StringType, "document", STRINGS, "questions", STRINGS)));
        assertEquals("in.jsonl: column document_path must be a string (is int)", schemaError(
                schema("id", DataTypes.StringType, "document_path", DataTypes.IntegerType, "questions", STRINGS)));
        assertEquals("in.jsonl: column questions must be an array of strings (is string)", schemaError(
                schema("id", DataTypes.StringType, "document", DataTypes.StringType, "questions", DataTypes.StringType)));
        assertEquals("in.jsonl: column questions must be an array of strings (is array<bigint>)",
                schemaError(schema("id", DataTypes.StringType, "document", DataTypes.StringType, "questions",
                        DataTypes.createArrayType(DataTypes.LongType))));
        assertEquals("in.jsonl: column chat must be a boolean (is string)", schemaError(schema("id",
                DataTypes.StringType, "document", DataTypes.StringType, "questions", STRINGS, "chat", DataTypes.StringType)));
        assertEquals("in.jsonl: unknown column 'answer' (columns: id, document | document_path, questions, chat)",
                schemaError(schema("id", DataTypes.StringType, "document", DataTypes.StringType, "questions", STRINGS,
                        "answer", DataTypes.StringType)));
        DocumentTable.requireSchema(IN, schema("id", DataTypes.StringType, "document_path", DataTypes.StringType,
                "questions", STRINGS, "chat", DataTypes.BooleanType));
    }

    private static String schemaError(StructType schema) {
        return assertThrows(UserError.class, () -> DocumentTable.requireSchema(IN, schema)).getMessage();
    }

    @Test
    void formatsFromTheFlagElseTheName() {
        assertEquals(DocumentTable.Format.PARQUET, DocumentTable.Format.of(null, "hdfs://nn/docs.PARQUET/"));
        assertEquals(DocumentTable.Format.PARQUET, DocumentTable.Format.of(null, "out.parquet"));
        assertEquals(DocumentTable.Format.JSONL, DocumentTable.Format.of(null, "docs.jsonl"));
        assertEquals(DocumentTable.Format.JSONL, DocumentTable.Format.of(null, "parquet"));
        assertEquals(DocumentTable.Format.JSONL, DocumentTable.Format.of("JSON", "x.parquet"));
        assertEquals(DocumentTable.Format.JSONL, DocumentTable.Format.of("jsonl", "x.parquet"));
        assertEquals(DocumentTable.Format.PARQUET, DocumentTable.Format.of("Parquet", "x.jsonl"));
        assertEquals("format must be jsonl or parquet (got 'csv')",
                assertThrows(UserError.class, () -> DocumentTable.Format.of("csv", "x.csv")).getMessage());
        assertEquals("jsonl", DocumentTable.Format.JSONL.toString());
        assertEquals("parquet", DocumentTable.Format.PARQUET.spark);
        assertEquals("json", DocumentTable.Format.JSONL.spark);
    }

    @Test
    void aByteOrderMarkIsDroppedOnlyAtTheStart() {
        assertEquals("{}", DocumentTable.stripBom("\uFEFF{}"));
        assertEquals("{\uFEFF}", DocumentTable.stripBom("{\uFEFF}"));
        assertEquals("", DocumentTable.stripBom(""));
        assertEquals("", DocumentTable.stripBom("\uFEFF"));
    }

    @Test
    void whatSparkCannotReadIsAUserErrorAndABugStaysABug() {
        UserError bad = new UserError("file not found: x");
        assertSame(bad, DocumentTable.unreadable("x", DocumentTable.Format.JSONL, new SparkException("job", bad)));
        assertEquals("x is not readable as parquet: not a Parquet file", DocumentTable.unreadable("x",
                DocumentTable.Format.PARQUET, new SparkException("not a Parquet file")).getMessage());
        assertEquals("x is not readable as jsonl: broken", DocumentTable.unreadable("x", DocumentTable.Format.JSONL,
                new SparkException("stage failed", new IOException("broken"))).getMessage());
        assertEquals("x is not readable as jsonl: inner", DocumentTable.unreadable("x", DocumentTable.Format.JSONL,
                new ExecutionException(new SparkException("inner"))).getMessage());
        assertEquals("x is not readable as jsonl: IOException", DocumentTable.unreadable("x",
                DocumentTable.Format.JSONL, new ExecutionException(new IOException())).getMessage());
        RuntimeException other = new RuntimeException(new IOException("not unwrapped"));
        assertSame(other, DocumentTable.unreadable("x", DocumentTable.Format.JSONL, other), "not Spark's: a bug");
        IllegalStateException bug = new IllegalStateException("a bug");
        assertSame(bug, DocumentTable.unreadable("x", DocumentTable.Format.JSONL, bug));
        Exception checked = new Exception("checked");
        RuntimeException wrapped = DocumentTable.unreadable("x", DocumentTable.Format.JSONL, checked);
        assertEquals("reading x", wrapped.getMessage());
        assertSame(checked, wrapped.getCause());
    }
}
