package io.starspark.driver.star;

import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.Manifest;
import io.starspark.model.LlamaModel;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.BlockResult;
import io.starspark.workers.BlockSpec;
import io.starspark.workers.PrefillConf;
import io.starspark.workers.PrefillTask;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 1 orchestration on the driver: plan the blocks, ship {@code anchor ++ block} tokens to
 * executors (one Spark partition per group of blocks), collect their stats, and commit the
 * document's manifest last. A document whose manifest is already committed with the same model,
 * tokens and settings is reused without running anything.
 */
public final class StarPrefill {
    private static final Logger LOG = LoggerFactory.getLogger(StarPrefill.class);
    public static final String CREATED_BY = "starspark " + StarPrefill.class.getPackage().getImplementationVersion();

    private StarPrefill() {
    }

    /**
     * @param context   [n] context token ids (BOS included)
     * @param kvRoot    the document's K/V location (e.g. {@code file:///data/kv/<docId>})
     * @param partitions number of Spark partitions (groups of blocks); more blocks than partitions is normal
     */
    public static PrefillReport run(JavaSparkContext jsc, LlamaModel model, int[] context, StarPlan plan,
                                    PrefillConf conf, String docId, int partitions) {
        KvLayout layout = conf.layout();
        Manifest expected = Manifest.of(docId, model.id(), layout, plan, context, CREATED_BY);
        try (KvStore store = HadoopKvStore.open(URI.create(conf.kvRoot()), jsc.hadoopConfiguration(), layout,
                HadoopKvStore.DEFAULT_CACHE_BYTES)) {
            Optional<Manifest> existing = store.readManifest();
            if (existing.isPresent()) {
                existing.get().requireCompatible(expected, conf.kvRoot());
                LOG.info("phase 1: reusing committed K/V of {} tokens at {}", context.length, conf.kvRoot());
                return new PrefillReport(conf.kvRoot(), context.length, plan.blockCount(), true, List.of(), 0, 0, 0, 0);
            }
            long t0 = System.nanoTime();
            List<List<BlockSpec>> groups = groups(context, plan, partitions);
            LOG.info("phase 1: {} tokens in {} blocks over {} partitions -> {}", context.length, plan.blockCount(),
                    groups.size(), conf.kvRoot());
            List<BlockResult> results = jsc.parallelize(groups, groups.size()).mapPartitions(new PrefillTask(conf))
                    .collect();
            long nanos = System.nanoTime() - t0;
            store.commit(expected);
            return report(conf.kvRoot(), context.length, plan, results, nanos);
        }
    }

    /** Block specs grouped per partition, following {@link StarPlan#assign}. */
    static List<List<BlockSpec>> groups(int[] context, StarPlan plan, int partitions) {
        List<List<BlockSpec>> groups = new ArrayList<>();
        for (List<Integer> indices : plan.assign(partitions)) {
            List<BlockSpec> group = new ArrayList<>(indices.size());
            for (int index : indices) {
                group.add(spec(context, plan.block(index)));
            }
            groups.add(group);
        }
        return groups;
    }

    static BlockSpec spec(int[] context, Block block) {
        int[] run = block.runTokenIndices(); // [anchor + block] context indices
        int[] tokens = new int[run.length];
        for (int i = 0; i < run.length; i++) {
            tokens[i] = context[run[i]];
        }
        return new BlockSpec(block.index(), block.start(), tokens, block.runPositions(), block.keptOffset());
    }

    private static PrefillReport report(String kvRoot, int n, StarPlan plan, List<BlockResult> results, long nanos) {
        List<Integer> returned = results.stream().map(BlockResult::blockIndex).sorted().toList();
        if (!returned.equals(IntStream.range(0, plan.blockCount()).boxed().toList())) {
            throw new IllegalStateException("phase 1 returned blocks " + returned + ", planned 0.."
                    + (plan.blockCount() - 1));
        }
        TreeSet<String> executors = new TreeSet<>();
        long kvBytes = 0;
        long peak = 0;
        int retried = 0;
        for (BlockResult r : results) {
            executors.add(r.executorId());
            kvBytes += r.kvBytes();
            peak = Math.max(peak, r.peakHeapBytes());
            retried += r.attempt() > 0 ? 1 : 0;
        }
        return new PrefillReport(kvRoot, n, plan.blockCount(), false, List.copyOf(executors), nanos, kvBytes, peak,
                retried);
    }
}
