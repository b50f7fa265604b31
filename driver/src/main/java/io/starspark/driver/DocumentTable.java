package io.starspark.driver;

import io.starspark.errors.UserError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.function.FilterFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The documents table of {@link StarSpark#answer}: columns {@code id} (string), {@code document} or
 * {@code document_path} (string; one per row), {@code questions} (array of strings), optional {@code chat}
 * (boolean). Reads it from JSONL or Parquet through Spark SQL and validates it as a whole before any work:
 * every problem is a {@link UserError} naming the input, the row and the problem.
 */
final class DocumentTable {
    static final String ID = "id";
    static final String DOCUMENT = "document";
    static final String DOCUMENT_PATH = "document_path";
    static final String QUESTIONS = "questions";
    static final String CHAT = "chat";
    static final String CORRUPT = "_corrupt_record";
    private static final char BOM = '\uFEFF';

    /** Input and output formats: JSON lines or Parquet. */
    enum Format {
        JSONL("json"), PARQUET("parquet");

        final String spark;

        Format(String spark) {
            this.spark = spark;
        }

        /** {@code --input-format/--output-format}, else {@code .parquet} means Parquet and anything else JSONL. */
        static Format of(String flag, String location) {
            if (flag != null) {
                return switch (flag.toLowerCase(Locale.ROOT)) {
                    case "jsonl", "json" -> JSONL;
                    case "parquet" -> PARQUET;
                    default -> throw new UserError("format must be jsonl or parquet (got '" + flag + "')");
                };
            }
            String name = location.replaceAll("/+$", "").toLowerCase(Locale.ROOT);
            return name.endsWith(".parquet") ? PARQUET : JSONL;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One validated row. @param document the text, or null when {@code documentPath} names it */
    record Input(int row, String id, String document, String documentPath, List<String> questions, boolean chat)
            implements java.io.Serializable {
        Input {
            questions = List.copyOf(questions);
        }
    }

    private DocumentTable() {
    }

    /** Reads {@code location} (a local path or Hadoop URI) in {@code format}; a missing or unreadable file is a user error. */
    static Dataset<Row> read(SparkSession spark, String location, Format format) {
        Path path = BatchOutput.resolve(location);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        try {
            if (!path.getFileSystem(hadoop).exists(path)) {
                throw new UserError("file not found: " + location);
            }
        } catch (IOException e) {
            throw new UserError("cannot read " + location + ": " + e.getMessage(), e);
        }
        try {
            if (format == Format.PARQUET) {
                return spark.read().parquet(path.toString());
            }
            // lines, then JSON: a UTF-8 byte order mark at the start of the file is dropped, not a corrupt row
            Dataset<String> lines = spark.read().text(path.toString()).map(
                    (MapFunction<Row, String>) r -> stripBom(r.getString(0)), Encoders.STRING());
            return spark.read().option("mode", "PERMISSIVE").option("columnNameOfCorruptRecord", CORRUPT)
                    .json(lines.filter((FilterFunction<String>) l -> !l.isBlank()));
        } catch (Exception e) { // Spark's SparkException and AnalysisException are checked in Java's view
            throw unreadable(location, format, e);
        }
    }

    static String stripBom(String line) {
        return !line.isEmpty() && line.charAt(0) == BOM ? line.substring(1) : line;
    }

    /** Spark could not read the file as {@code format}: a user error naming it; anything else is a bug. */
    static RuntimeException unreadable(String location, Format format, Exception e) {
        Throwable t = ErrorContract.unwrap(e);
        if (t instanceof UserError u) {
            return u;
        }
        if (e instanceof AnalysisException || e instanceof SparkException || t instanceof SparkException
                || t instanceof IOException) {
            return new UserError(location + " is not readable as " + format + ": " + ErrorContract.oneLine(t), e);
        }
        return e instanceof RuntimeException r ? r : new IllegalStateException("reading " + location, e);
    }

    /** The table's schema checked: required columns present with their types, no unknown column. */
    static void requireSchema(String source, StructType schema) {
        List<String> names = Arrays.asList(schema.fieldNames());
        boolean doc = names.contains(DOCUMENT);
        boolean path = names.contains(DOCUMENT_PATH);
        if (!names.contains(ID) || !names.contains(QUESTIONS) || !doc && !path) {
            throw new UserError(source + " needs columns id, document (or document_path) and questions; it has "
                    + String.join(", ", names));
        }
        requireType(source, schema, ID, DataTypes.StringType, "string");
        if (doc) {
            requireType(source, schema, DOCUMENT, DataTypes.StringType, "string");
        }
        if (path) {
            requireType(source, schema, DOCUMENT_PATH, DataTypes.StringType, "string");
        }
        DataType questions = schema.apply(QUESTIONS).dataType();
        if (!(questions instanceof ArrayType a) || !a.elementType().equals(DataTypes.StringType)) {
            throw new UserError(source + ": column questions must be an array of strings (is "
                    + questions.simpleString() + ")");
        }
        if (names.contains(CHAT)) {
            requireType(source, schema, CHAT, DataTypes.BooleanType, "boolean");
        }
        for (String name : names) {
            if (!List.of(ID, DOCUMENT, DOCUMENT_PATH, QUESTIONS, CHAT).contains(name)) {
                throw new UserError(source + ": unknown column '" + name + "' (columns: id, document | document_path, "
                        + "questions, chat)");
            }
        }
    }

    private static void requireType(String source, StructType schema, String column, DataType type, String name) {
        StructField f = schema.apply(column);
        if (!f.dataType().equals(type)) {
            throw new UserError(source + ": column " + column + " must be a " + name + " (is "
                    + f.dataType().simpleString() + ")");
        }
    }

    /** The rows, validated as a whole: non-empty unique ids, one document source, non-empty questions. */
    static List<Input> collect(String source, Dataset<Row> table) {
        StructType schema = table.schema();
        requireColumnsBeforeCollect(source, schema);
        return inputs(source, schema, table.collectAsList());
    }

    /** {@link #collect}'s checks of the collected {@code rows} of a table with {@code schema}. */
    static List<Input> inputs(String source, StructType schema, List<Row> rows) {
        List<String> names = Arrays.asList(schema.fieldNames());
        if (names.contains(CORRUPT)) { // JSON lines Spark could not parse as objects: the first one is named
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                if (!r.isNullAt(r.fieldIndex(CORRUPT))) {
                    String text = r.getString(r.fieldIndex(CORRUPT));
                    throw problem(source, i + 1, "not a valid JSON object: "
                            + (text.length() > 60 ? text.substring(0, 60) + "..." : text));
                }
            }
            schema = dropCorrupt(schema);
        }
        requireSchema(source, schema);
        List<Input> inputs = new ArrayList<>(rows.size());
        Map<String, Integer> first = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            int n = i + 1;
            String id = text(source, n, r, ID, true);
            String document = names.contains(DOCUMENT) ? text(source, n, r, DOCUMENT, false) : null;
            String documentPath = names.contains(DOCUMENT_PATH) ? text(source, n, r, DOCUMENT_PATH, false) : null;
            if ((document == null) == (documentPath == null)) {
                throw problem(source, n, document == null ? "missing \"document\" (or \"document_path\")"
                        : "give \"document\" or \"document_path\", not both");
            }
            List<String> questions = r.isNullAt(r.fieldIndex(QUESTIONS)) ? List.of() : r.getList(r.fieldIndex(QUESTIONS));
            if (questions.isEmpty()) {
                throw problem(source, n, "\"questions\" must be a non-empty array of strings");
            }
            for (int q = 0; q < questions.size(); q++) {
                if (questions.get(q) == null || questions.get(q).isEmpty()) {
                    throw problem(source, n, "questions[" + q + "] must be a non-empty string");
                }
            }
            boolean chat = names.contains(CHAT) && !r.isNullAt(r.fieldIndex(CHAT)) && r.getBoolean(r.fieldIndex(CHAT));
            Integer previous = first.putIfAbsent(id, n);
            if (previous != null) {
                throw problem(source, n, "duplicate id '" + id + "' (first in row " + previous + ")");
            }
            inputs.add(new Input(n, id, document, documentPath, questions, chat));
        }
        if (inputs.isEmpty()) {
            throw new UserError("input " + source + " has no rows");
        }
        return inputs;
    }

    /** Without parse errors, the schema is checked before the rows are collected (nothing read twice). */
    private static void requireColumnsBeforeCollect(String source, StructType schema) {
        if (!Arrays.asList(schema.fieldNames()).contains(CORRUPT)) {
            requireSchema(source, schema);
        }
    }

    private static StructType dropCorrupt(StructType schema) {
        return new StructType(Arrays.stream(schema.fields()).filter(f -> !f.name().equals(CORRUPT))
                .toArray(StructField[]::new));
    }

    /** A string column's value; null when absent and not {@code required}; blank is always a problem. */
    private static String text(String source, int row, Row r, String column, boolean required) {
        if (r.isNullAt(r.fieldIndex(column))) {
            if (required) {
                throw problem(source, row, "missing \"" + column + "\"");
            }
            return null;
        }
        String value = r.getString(r.fieldIndex(column));
        if (value.isBlank()) {
            throw problem(source, row, "\"" + column + "\" must be a non-empty string");
        }
        return value;
    }

    private static UserError problem(String source, int row, String what) {
        return new UserError(source + " row " + row + ": " + what);
    }
}
