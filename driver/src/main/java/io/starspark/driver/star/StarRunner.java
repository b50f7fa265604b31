package io.starspark.driver.star;

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
import io.starspark.workers.TaskKernels;
import io.starspark.workers.PrefillConf;
import io.starspark.workers.SparseContextAttention;
import java.net.URI;
import java.util.function.Function;
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
        return StarPrefill.run(jsc, phase1(r));
    }

    /** The request's document as phase 1 sees it (for {@link StarPrefill#runAll} with other documents). */
    public static StarPrefill.Document phase1(StarRequest r) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        Manifest expected = manifest(model, r);
        PrefillConf conf = new PrefillConf(r.modelPath(), documentRoot(r.kvDir(), expected.docId()),
                layout(model.config(), r), expected.binding(), r.kernels(), r.failFirstAttemptBlocks());
        return new StarPrefill.Document(expected, r.context(), conf, r.partitions(), r.maxKvBytes());
    }

    /**
     * Phase 2 after {@code prefill}: the question pass and decoding over the K/V and page summaries in the
     * store. Uses no Spark context, only the request, the model registry and {@code hadoop}: it can run in
     * an executor task (with {@code HadoopConfs.current()}) as well as on the driver.
     */
    public static StarAnswer decode(StarRequest r, PrefillReport prefill, Configuration hadoop, Sampler sampler) {
        try (Stores own = new Stores()) {
            return decode(r, prefill, hadoop, sampler, own);
        }
    }

    /**
     * {@link #decode} with the document's store from {@code stores}: consecutive questions of one document (an
     * answer task's run) share its store and page cache, so its K/V are read once, not once per question.
     */
    public static StarAnswer decode(StarRequest r, PrefillReport prefill, Configuration hadoop, Sampler sampler,
                                    Stores stores) {
        return overContext(r, prefill, hadoop, stores, p -> {
            Generator.Result d = p.generator().generate(r.question(), r.context().length, p.context(),
                    r.maxNewTokens(), sampler, p.model().tokenizer().eos());
            SparseContextAttention sparse = p.context() instanceof SparseContextAttention s ? s : null;
            double pagesPerStep = sparse != null ? sparse.meanPagesPerCall() : r.plan().pageCount();
            long pageVisits = sparse != null ? sparse.pageVisits() : 0;
            return new StarAnswer(docId(r.context()), p.kernels().name(), d.ids(), d.firstLogits(), prefill,
                    d.prefillNanos(), d.decodeNanos(), p.store().bytesRead() - p.bytesReadBefore(), pagesPerStep,
                    pageVisits);
        });
    }

    /**
     * Teacher forcing over the request's document in one pass: phase 1 (or its reuse), then the request's
     * question (the question followed by the teacher's tokens) over the stored K/V, star or sparse, with the
     * logits of its last {@code scored} tokens ({@link Generator#score}). Sparse picks pages per query token,
     * as decoding does, so row i equals the first logits of {@link #answer} on the first p + i + 1 tokens.
     *
     * @return [scored][vocab]
     */
    public static float[] score(JavaSparkContext jsc, StarRequest r, int scored) {
        try (Stores own = new Stores()) {
            return overContext(r, prefill(jsc, r), jsc.hadoopConfiguration(), own,
                    p -> p.generator().score(r.question(), r.context().length, p.context(), scored));
        }
    }

    /** What phase 2 works with: the model, its generator, the store it reads and the attention over the context in it. */
    private record Phase2(LlamaModel model, Generator generator, Kernels kernels, KvStore store,
                          long bytesReadBefore, ExternalAttention context) {
    }

    /**
     * The K/V store of the document last answered, kept open (with its page cache) for the next question of the
     * same document; one document at a time, so the memory held is one store's cache. Not thread-safe: one per
     * task (or per driver loop).
     */
    public static final class Stores implements AutoCloseable {
        private String key;
        private KvStore store;

        /** The open store for {@code kvRoot} with {@code binding}, opened by {@code open} unless it is the last one. */
        KvStore get(String kvRoot, String binding, java.util.function.Supplier<KvStore> open) {
            String k = kvRoot + "\n" + binding;
            if (!k.equals(key)) {
                close();
                store = open.get();
                key = k;
            }
            return store;
        }

        @Override
        public void close() {
            if (store != null) {
                KvStore s = store;
                store = null;
                key = null;
                s.close();
            }
        }
    }

    /** Opens the document's store and runs {@code body} with star's exact or sparse's selected-page attention. */
    private static <T> T overContext(StarRequest r, PrefillReport prefill, Configuration hadoop, Stores stores,
                                     Function<Phase2, T> body) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        LlamaConfig c = model.config();
        Kernels kernels = TaskKernels.select(r.kernels());
        String binding = manifest(model, r).binding();
        KvStore store = stores.get(prefill.kvRoot(), binding, () -> HadoopKvStore.open(URI.create(prefill.kvRoot()),
                hadoop, layout(c, r), binding, HadoopKvStore.DEFAULT_CACHE_BYTES));
        long before = store.bytesRead();
        ExternalAttention context = r.sparse() == null
                ? new ExactContextAttention(store, kernels, c, r.plan().pageCount(),
                        ExactContextAttention.DEFAULT_GROUP_BYTES)
                : new SparseContextAttention(store, kernels, c, store.readSummaries(), r.sparse());
        return body.apply(new Phase2(model, new Generator(model, kernels, r.dtype()), kernels, store, before, context));
    }

    /**
     * Deletes the stored K/V of the request's document (blocks, manifest, temporaries), so the next
     * {@link #answer} prefills it again: after a model or settings change, or a damaged store.
     */
    public static void forget(JavaSparkContext jsc, StarRequest r) {
        LlamaModel model = ModelRegistry.get(r.modelPath());
        String kvRoot = documentRoot(r.kvDir(), docId(r.context()));
        try (KvStore store = HadoopKvStore.open(URI.create(kvRoot), jsc.hadoopConfiguration(), layout(model.config(), r),
                manifest(model, r).binding(), 0)) {
            store.delete();
        }
    }

    /** What the request's K/V are made from: document tokens, model and settings (binds every block file). */
    static Manifest manifest(LlamaModel model, StarRequest r) {
        return Manifest.of(docId(r.context()), model.id(), layout(model.config(), r), r.plan(), r.context(),
                StarPrefill.CREATED_BY);
    }

    private static KvLayout layout(LlamaConfig c, StarRequest r) {
        return new KvLayout(c.layers(), c.kvHeads(), c.headDim(), r.plan().pageSize(), r.dtype());
    }

    /** A document's id: the first 16 hex digits of the sha-256 of its context token ids. */
    public static String docId(int[] context) {
        return "doc-" + Manifest.hashTokens(context).substring(0, 16);
    }

    static String documentRoot(String kvDir, String docId) {
        return kvDir.endsWith("/") ? kvDir + docId : kvDir + "/" + docId;
    }
}
