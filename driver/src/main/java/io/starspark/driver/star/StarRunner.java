package io.starspark.driver.star;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.Manifest;
import io.starspark.model.ExternalAttention;
import io.starspark.model.Generator;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.ExactContextAttention;
import io.starspark.workers.ModelRegistry;
import io.starspark.workers.PrefillConf;
import io.starspark.workers.SparseContextAttention;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * One question end to end: phase 1 (the context's K/V) on the cluster, unless the document's K/V are
 * already committed; then phase 2 on this JVM, star (exact, over all context K/V) or sparse (selected
 * pages), reading K/V and page summaries from the K/V store.
 */
public final class StarRunner {
    private StarRunner() {
    }

    public static StarAnswer answer(JavaSparkContext jsc, StarRequest r, Sampler sampler) {
        return decode(r, prefill(jsc, r), jsc.hadoopConfiguration(), sampler);
    }

    /** Phase 1 of the request's document on the cluster, or the reuse of its committed K/V. */
    public static PrefillReport prefill(JavaSparkContext jsc, StarRequest r) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        String docId = docId(r.context());
        PrefillConf conf = new PrefillConf(r.modelPath(), documentRoot(r.kvDir(), docId), layout(model.config(), r),
                r.kernels(), r.failFirstAttemptBlocks());
        return StarPrefill.run(jsc, model, r.context(), r.plan(), conf, docId, r.partitions());
    }

    /**
     * Phase 2 after {@code prefill}: the question pass and decoding over the K/V and page summaries in the
     * store. Uses no Spark context, only the request, the model registry and {@code hadoop}: it can run in
     * an executor task (with {@code HadoopConfs.current()}) as well as on the driver.
     */
    public static StarAnswer decode(StarRequest r, PrefillReport prefill, Configuration hadoop, Sampler sampler) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        LlamaConfig c = model.config();
        Kernels kernels = KernelBackends.select(r.kernels());
        try (KvStore store = HadoopKvStore.open(URI.create(prefill.kvRoot()), hadoop, layout(c, r),
                HadoopKvStore.DEFAULT_CACHE_BYTES)) {
            String docId = docId(r.context());
            if (r.sparse() == null) {
                ExactContextAttention context = new ExactContextAttention(store, kernels, c, r.plan().pageCount(),
                        ExactContextAttention.DEFAULT_GROUP_BYTES);
                Generator.Result d = generate(model, kernels, r, context, sampler);
                return new StarAnswer(docId, kernels.name(), d.ids(), d.firstLogits(), prefill, d.prefillNanos(),
                        d.decodeNanos(), store.bytesRead(), r.plan().pageCount(), 0);
            }
            SparseContextAttention context = new SparseContextAttention(store, kernels, c, store.readSummaries(),
                    r.sparse());
            Generator.Result d = generate(model, kernels, r, context, sampler);
            return new StarAnswer(docId, kernels.name(), d.ids(), d.firstLogits(), prefill, d.prefillNanos(),
                    d.decodeNanos(), store.bytesRead(), context.meanPagesPerCall(), context.pageVisits());
        }
    }

    /**
     * Deletes the stored K/V of the request's document (blocks, manifest, temporaries), so the next
     * {@link #answer} prefills it again: after a model or settings change, or a damaged store.
     */
    public static void forget(JavaSparkContext jsc, StarRequest r) {
        LlamaConfig c = ModelRegistry.get(r.modelPath()).config();
        String kvRoot = documentRoot(r.kvDir(), docId(r.context()));
        try (KvStore store = HadoopKvStore.open(URI.create(kvRoot), jsc.hadoopConfiguration(), layout(c, r), 0)) {
            store.delete();
        }
    }

    private static KvLayout layout(LlamaConfig c, StarRequest r) {
        return new KvLayout(c.layers(), c.kvHeads(), c.headDim(), r.plan().pageSize(), r.dtype());
    }

    /** The question at positions after the context, then the answer; the context through {@code context}. */
    private static Generator.Result generate(LlamaModel model, Kernels kernels, StarRequest r,
                                             ExternalAttention context, Sampler sampler) {
        return new Generator(model, kernels).generate(r.question(), r.context().length, context, r.maxNewTokens(),
                sampler, model.tokenizer().eos());
    }

    /** A document's id: the first 16 hex digits of the sha-256 of its context token ids. */
    public static String docId(int[] context) {
        return "doc-" + Manifest.hashTokens(context).substring(0, 16);
    }

    static String documentRoot(String kvDir, String docId) {
        return kvDir.endsWith("/") ? kvDir + docId : kvDir + "/" + docId;
    }
}
