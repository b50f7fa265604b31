package io.starspark.workers;

import io.starspark.kernels.Kernels;
import io.starspark.kv.BlockKv;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.KvStore;
import io.starspark.model.Forward;
import io.starspark.model.KvCache;
import io.starspark.model.LlamaModel;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;

/**
 * Phase 1 on an executor: for each block of the partition's {@link PrefillWork} (one document's blocks; a
 * job may hold many documents), run {@code anchor ++ block} through all layers (blockwise-local causal
 * attention), keep only the block's K/V, write them to the document's K/V store (atomic per block, page
 * summaries included) and send back the block's stats.
 */
public final class PrefillTask implements FlatMapFunction<Iterator<PrefillWork>, BlockResult> {
    private static final long serialVersionUID = 1L;

    @Override
    public Iterator<BlockResult> call(Iterator<PrefillWork> works) {
        List<BlockResult> results = new ArrayList<>();
        while (works.hasNext()) {
            PrefillWork work = works.next();
            PrefillConf conf = work.conf();
            LlamaModel model = ModelRegistry.get(conf.modelPath());
            Kernels kernels = TaskKernels.select(conf.kernels()); // the task's CPUs, not every core of the machine
            try (KvStore store = HadoopKvStore.open(URI.create(conf.kvRoot()), HadoopConfs.current(), conf.layout(),
                    conf.binding(), 0)) {
                Forward forward = new Forward(model, kernels);
                for (BlockSpec spec : work.blocks()) {
                    results.add(run(work.doc(), conf, model, forward, store, spec));
                }
            }
        }
        return results.iterator();
    }

    private static BlockResult run(int doc, PrefillConf conf, LlamaModel model, Forward forward, KvStore store,
                                   BlockSpec spec) {
        // only the block's rows are kept (on a device backend only they come back from the device)
        KvCache kept = new KvCache(model.config().layers(), model.config().kvHeads(), model.config().headDim(),
                spec.keptLength());
        forward.prefill(spec.tokens(), spec.positions(), spec.keptOffset(), kept);
        BlockKv rows = keptRows(kept, spec);
        store.writeBlock(spec.blockIndex(), spec.firstToken(), rows);
        TaskContext ctx = TaskContext.get();
        int attempt = ctx == null ? 0 : ctx.attemptNumber();
        if (conf.failsFirstAttempt(spec.blockIndex()) && attempt == 0) {
            throw new IllegalStateException("injected failure after writing block " + spec.blockIndex()
                    + " (test hook PrefillConf.failFirstAttemptBlocks)");
        }
        long kvBytes = 2L * conf.layout().layers() * spec.keptLength() * conf.layout().rowFloats() * conf.layout().dtype().bytes();
        return new BlockResult(doc, spec.blockIndex(), kvBytes, executorId(), attempt, peakHeapBytes());
    }

    private static BlockKv keptRows(KvCache kept, BlockSpec spec) {
        int layers = kept.layers();
        int rows = spec.keptLength() * kept.kvHeads() * kept.headDim();
        float[][] k = new float[layers][];
        float[][] v = new float[layers][];
        for (int l = 0; l < layers; l++) {
            k[l] = exact(kept.keys(l), rows);
            v[l] = exact(kept.values(l), rows);
        }
        return new BlockKv(spec.keptLength(), k, v);
    }

    private static float[] exact(float[] a, int length) {
        return a.length == length ? a : Arrays.copyOf(a, length);
    }

    private static String executorId() {
        SparkEnv env = SparkEnv.get();
        return env == null ? "local" : env.executorId();
    }

    /** Sum over heap pools of their peak usage since JVM start (or the last reset). */
    static long peakHeapBytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
