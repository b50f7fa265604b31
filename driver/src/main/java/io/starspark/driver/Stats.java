package io.starspark.driver;

import io.starspark.driver.star.PrefillReport;
import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRequest;
import io.starspark.model.Generator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The stats of one answer, the same names in {@code generate --json}, in {@code run} rows and in the
 * {@code stats} struct of {@link StarSpark#answer} (the list is in README.md, "stats"). Every name is
 * written here and nowhere else, with its Spark SQL type in {@link #SCHEMA}. Pure functions of the request
 * and its answer.
 */
final class Stats {
    /** Every stats name with its type; a name a mode does not report is null in its rows. */
    static final StructType SCHEMA = new StructType(new StructField[] {
        field("attention", DataTypes.StringType), field("kernels", DataTypes.StringType),
        field("master", DataTypes.StringType), field("answered_on", DataTypes.StringType),
        field("context_tokens", DataTypes.IntegerType), field("question_tokens", DataTypes.IntegerType),
        field("generated_tokens", DataTypes.IntegerType), field("prefill_reused", DataTypes.BooleanType),
        field("prefill_seconds", DataTypes.DoubleType), field("prefill_tokens_per_second", DataTypes.DoubleType),
        field("doc_id", DataTypes.StringType), field("kv_root", DataTypes.StringType),
        field("block_size", DataTypes.IntegerType), field("anchor_size", DataTypes.IntegerType),
        field("page_size", DataTypes.IntegerType), field("blocks", DataTypes.IntegerType),
        field("pages", DataTypes.IntegerType), field("executors", DataTypes.IntegerType),
        field("executor_ids", DataTypes.createArrayType(DataTypes.StringType, false)),
        field("phase1_seconds", DataTypes.DoubleType), field("phase1_tokens_per_second", DataTypes.DoubleType),
        field("kv_bytes_written", DataTypes.LongType), field("executor_peak_heap_bytes", DataTypes.LongType),
        field("retried_blocks", DataTypes.IntegerType), field("question_seconds", DataTypes.DoubleType),
        field("decode_seconds", DataTypes.DoubleType), field("decode_tokens_per_second", DataTypes.DoubleType),
        field("context_pages_per_step", DataTypes.DoubleType), field("page_visits", DataTypes.LongType),
        field("context_bytes_read", DataTypes.LongType),
    });

    private Stats() {
    }

    private static StructField field(String name, DataType type) {
        return DataTypes.createStructField(name, type, true);
    }

    /** The stats as a {@link #SCHEMA} row; a name missing from the schema is a bug here. */
    static Row row(Map<String, Object> stats) {
        Object[] values = new Object[SCHEMA.size()];
        for (Map.Entry<String, Object> e : stats.entrySet()) {
            int i = SCHEMA.getFieldIndex(e.getKey()).getOrElse(() -> -1);
            if (i < 0) {
                throw new IllegalStateException("stats name '" + e.getKey() + "' is not in Stats.SCHEMA");
            }
            values[i] = typed(SCHEMA.fields()[i].dataType(), e.getValue());
        }
        return new GenericRowWithSchema(values, SCHEMA);
    }

    private static Object typed(DataType type, Object value) {
        if (value == null) {
            return null;
        }
        if (type == DataTypes.IntegerType) {
            return ((Number) value).intValue();
        }
        if (type == DataTypes.LongType) {
            return ((Number) value).longValue();
        }
        if (type == DataTypes.DoubleType) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof List<?> list) {
            return scala.jdk.javaapi.CollectionConverters.asScala(list).toSeq();
        }
        return value;
    }

    /** Full attention: one pass over context ++ question on this JVM, then decoding. */
    static Map<String, Object> full(int contextTokens, int questionTokens, String kernels, String master,
                                    String answeredOn, Generator.Result r) {
        Map<String, Object> stats = common("full", kernels, master, answeredOn, contextTokens, questionTokens,
                r.ids().length, false);
        stats.put("prefill_seconds", r.prefillNanos() / 1e9);
        stats.put("prefill_tokens_per_second", r.prefillTokensPerSecond());
        decode(stats, r.ids().length, r.decodeNanos());
        return inSchemaOrder(stats);
    }

    /** Star or sparse: phase 1 (or its reuse) on Spark, then the question pass and decoding over the stored K/V. */
    static Map<String, Object> star(StarRequest r, StarAnswer a, String master, String answeredOn) {
        PrefillReport p = a.prefill();
        Map<String, Object> stats = common(r.sparse() == null ? "star" : "sparse", a.kernels(), master, answeredOn,
                r.context().length, r.question().length, a.ids().length, p.reused());
        stats.put("doc_id", a.docId());
        stats.put("kv_root", p.kvRoot());
        stats.put("block_size", r.plan().blockSize());
        stats.put("anchor_size", r.plan().effectiveAnchor());
        stats.put("page_size", r.plan().pageSize());
        stats.put("blocks", p.blocks());
        stats.put("pages", r.plan().pageCount());
        stats.put("executors", p.executors().size());
        stats.put("executor_ids", p.executors());
        stats.put("phase1_seconds", p.seconds());
        stats.put("phase1_tokens_per_second", p.tokensPerSecond());
        stats.put("kv_bytes_written", p.kvBytes());
        stats.put("executor_peak_heap_bytes", p.peakHeapBytes());
        stats.put("retried_blocks", p.retriedTasks());
        stats.put("question_seconds", a.questionNanos() / 1e9);
        decode(stats, a.ids().length, a.decodeNanos());
        stats.put("context_pages_per_step", a.pagesPerStep());
        stats.put("page_visits", a.pageVisits());
        stats.put("context_bytes_read", a.contextBytesRead());
        return inSchemaOrder(stats);
    }

    /** The same entries in {@link #SCHEMA} order, so JSON from a map and from a row list names alike. */
    private static Map<String, Object> inSchemaOrder(Map<String, Object> stats) {
        Map<String, Object> ordered = new LinkedHashMap<>();
        for (String name : SCHEMA.fieldNames()) {
            if (stats.containsKey(name)) {
                ordered.put(name, stats.get(name));
            }
        }
        if (ordered.size() != stats.size()) {
            throw new IllegalStateException("stats names " + stats.keySet() + " not all in Stats.SCHEMA");
        }
        return ordered;
    }

    private static Map<String, Object> common(String attention, String kernels, String master, String answeredOn,
                                              int contextTokens, int questionTokens, int generatedTokens,
                                              boolean prefillReused) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("attention", attention);
        stats.put("kernels", kernels);
        stats.put("master", master);
        stats.put("answered_on", answeredOn);
        stats.put("context_tokens", contextTokens);
        stats.put("question_tokens", questionTokens);
        stats.put("generated_tokens", generatedTokens);
        stats.put("prefill_reused", prefillReused);
        return stats;
    }

    /** The first token comes from the prompt (or question) pass, not a decode step: as {@link Generator.Result}. */
    private static void decode(Map<String, Object> stats, int generatedTokens, long decodeNanos) {
        stats.put("decode_seconds", decodeNanos / 1e9);
        stats.put("decode_tokens_per_second", Generator.Result.decodeTokensPerSecond(generatedTokens, decodeNanos));
    }
}
