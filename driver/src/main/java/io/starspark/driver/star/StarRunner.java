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
import org.apache.spark.api.java.JavaSparkContext;

/** Star Attention end to end for one question: phase 1 on the cluster, exact phase 2 on the driver. */
public final class StarRunner {
    private StarRunner() {
    }

    public static StarAnswer answer(JavaSparkContext jsc, StarRequest r, Sampler sampler) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        LlamaConfig c = model.config();
        KvLayout layout = layout(c, r);
        String docId = docId(r.context());
        String kvRoot = documentRoot(r.kvDir(), docId);
        PrefillConf conf = new PrefillConf(r.modelPath(), kvRoot, layout, r.kernels(), r.failFirstAttemptBlock());
        PrefillReport prefill = StarPrefill.run(jsc, model, r.context(), r.plan(), conf, docId, r.partitions());
        Kernels kernels = KernelBackends.select(r.kernels());
        try (KvStore store = HadoopKvStore.open(URI.create(kvRoot), jsc.hadoopConfiguration(), layout,
                HadoopKvStore.DEFAULT_CACHE_BYTES)) {
            if (r.sparse() == null) {
                ExactContextAttention context = new ExactContextAttention(store, kernels, c);
                Generator.Result d = decode(model, kernels, r, context, sampler);
                return new StarAnswer(docId, d.ids(), d.firstLogits(), prefill, d.prefillNanos(), d.decodeNanos(),
                        context.bytesRead(), r.plan().pageCount(), 0);
            }
            SparseContextAttention context = new SparseContextAttention(store, kernels, c, prefill.summaries(),
                    r.sparse());
            Generator.Result d = decode(model, kernels, r, context, sampler);
            return new StarAnswer(docId, d.ids(), d.firstLogits(), prefill, d.prefillNanos(), d.decodeNanos(),
                    context.bytesRead(), context.meanPagesPerCall(),
                    context.pageVisits());
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
    private static Generator.Result decode(LlamaModel model, Kernels kernels, StarRequest r,
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
