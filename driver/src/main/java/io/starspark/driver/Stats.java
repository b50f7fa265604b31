package io.starspark.driver;

import io.starspark.driver.star.PrefillReport;
import io.starspark.driver.star.StarAnswer;
import io.starspark.driver.star.StarRequest;
import io.starspark.model.Generator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The stats of one answer, the same names in {@code generate --json} and in {@code run} rows (the list
 * is in README.md, "stats"). Every name is written here and nowhere else. Pure functions of the request
 * and its answer.
 */
final class Stats {
    private Stats() {
    }

    /** Full attention: one pass over context ++ question on this JVM, then decoding. */
    static Map<String, Object> full(int contextTokens, int questionTokens, String kernels, Generator.Result r) {
        Map<String, Object> stats = common("full", kernels, Answerer.Full.NO_MASTER, contextTokens, questionTokens,
                r.ids().length, false);
        stats.put("prefill_seconds", r.prefillNanos() / 1e9);
        stats.put("prefill_tokens_per_second", r.prefillTokensPerSecond());
        decode(stats, r.ids().length, r.decodeNanos());
        return stats;
    }

    /** Star or sparse: phase 1 (or its reuse) on Spark, then the question pass and decoding over the stored K/V. */
    static Map<String, Object> star(StarRequest r, StarAnswer a, String master) {
        PrefillReport p = a.prefill();
        Map<String, Object> stats = common(r.sparse() == null ? "star" : "sparse", a.kernels(), master,
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
        return stats;
    }

    private static Map<String, Object> common(String attention, String kernels, String master, int contextTokens,
                                              int questionTokens, int generatedTokens, boolean prefillReused) {
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("attention", attention);
        stats.put("kernels", kernels);
        stats.put("master", master);
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
