package io.starspark.driver;

import io.starspark.driver.star.PrefillReport;
import io.starspark.driver.star.StarAnswer;
import io.starspark.model.Generator;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.conf.StarSettings;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The per-question stats printed with every Star/sparse answer. */
final class Stats {
    private Stats() {
    }

    static Map<String, Object> of(StarAnswer a, StarSettings settings, StarPlan plan, String master) {
        PrefillReport p = a.prefill();
        Map<String, Object> stats = new LinkedHashMap<>();
        stats.put("attention", settings.attention().name().toLowerCase(Locale.ROOT));
        stats.put("master", master);
        stats.put("doc_id", a.docId());
        stats.put("kv_root", p.kvRoot());
        stats.put("block_size", plan.blockSize());
        stats.put("anchor_size", plan.effectiveAnchor());
        stats.put("page_size", plan.pageSize());
        stats.put("blocks", p.blocks());
        stats.put("pages", plan.pageCount());
        stats.put("prefill_reused", p.reused());
        stats.put("executors", p.executors().size());
        stats.put("executor_ids", p.executors());
        stats.put("phase1_seconds", p.seconds());
        stats.put("phase1_tokens_per_second", p.tokensPerSecond());
        stats.put("kv_bytes_written", p.kvBytes());
        stats.put("executor_peak_heap_bytes", p.peakHeapBytes());
        stats.put("retried_blocks", p.retriedTasks());
        stats.put("question_seconds", a.questionNanos() / 1e9);
        stats.put("decode_seconds", a.decodeNanos() / 1e9);
        stats.put("decode_tokens_per_second", Generator.Result.decodeTokensPerSecond(a.ids().length, a.decodeNanos()));
        stats.put("context_pages_per_step", a.pagesPerStep());
        stats.put("context_bytes_read", a.contextBytesRead());
        return stats;
    }
}
