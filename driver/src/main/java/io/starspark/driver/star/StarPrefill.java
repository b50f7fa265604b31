package io.starspark.driver.star;

import io.starspark.errors.UserError;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.Manifest;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import io.starspark.workers.BlockResult;
import io.starspark.workers.BlockSpec;
import io.starspark.workers.PrefillConf;
import io.starspark.workers.PrefillTask;
import io.starspark.workers.PrefillWork;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Phase 1 orchestration on the driver: plan the blocks, ship {@code anchor ++ block} tokens to
 * executors (one Spark partition per group of blocks; one Spark job for any number of documents),
 * collect their stats, and commit each document's manifest last. A document whose manifest is already
 * committed with the same model, tokens and settings is reused without running anything.
 */
public final class StarPrefill {
    private static final Logger LOG = LoggerFactory.getLogger(StarPrefill.class);
    public static final String CREATED_BY = "starspark " + StarPrefill.class.getPackage().getImplementationVersion();

    private StarPrefill() {
    }

    /** One document's phase 1, as one Spark job: {@link #runAll} with this document alone. */
    public static PrefillReport run(JavaSparkContext jsc, Document doc) {
        Outcome o = runAll(jsc, List.of(doc), p -> { }).get(0);
        if (o.error() != null) {
            throw o.error();
        }
        return o.report();
    }

    /**
     * One document of a phase-1 job.
     *
     * @param expected   the manifest to commit (or to find committed): document, model, plan, settings
     * @param context    [n] context token ids (BOS included)
     * @param conf       what the tasks need; its binding is {@code expected.binding()}
     * @param partitions number of Spark partitions (groups of blocks); more blocks than partitions is normal
     * @param maxKvBytes the most K/V bytes this prefill may write; a larger one is refused before it starts
     */
    public record Document(Manifest expected, int[] context, PrefillConf conf, int partitions, long maxKvBytes) {
    }

    /** A document's phase 1: its report, or the user error (bad stored K/V, over maxKvBytes) that fails only it. */
    public record Outcome(PrefillReport report, UserError error) {
    }

    /**
     * Phase 1 of many documents as ONE Spark job, so the executors stay busy across documents: each document
     * whose manifest is committed already (same model, tokens and settings) is reused without running anything;
     * the blocks of all the others become the job's partitions ({@link PrefillWork}, one document's group of
     * blocks each); each document's manifest is committed after the job. A document that cannot run (its stored
     * K/V belong to other settings, or it is over its maxKvBytes) fails alone, before the job; a failed task
     * fails the job. Every report of the job carries the job's wall time.
     *
     * @param planned called with the job's partitions (document index per partition) before it is submitted
     * @return one outcome per document, in order
     */
    public static List<Outcome> runAll(JavaSparkContext jsc, List<Document> docs, Consumer<int[]> planned) {
        Outcome[] outcomes = new Outcome[docs.size()];
        List<PrefillWork> work = new ArrayList<>();
        for (int d = 0; d < docs.size(); d++) {
            Document doc = docs.get(d);
            PrefillConf conf = doc.conf();
            StarPlan plan = doc.expected().plan();
            try (KvStore store = open(jsc, conf)) {
                Optional<Manifest> existing = store.readManifest();
                if (existing.isPresent()) {
                    existing.get().requireCompatible(doc.expected(), conf.kvRoot());
                    LOG.info("phase 1: reusing committed K/V of {} tokens at {}", doc.context().length, conf.kvRoot());
                    outcomes[d] = new Outcome(new PrefillReport(conf.kvRoot(), doc.context().length, plan.blockCount(),
                            true, List.of(), 0, 0, 0, 0), null);
                    continue;
                }
                long kvBytes = requireWithinLimit(conf.layout(), plan, doc.maxKvBytes(), conf.kvRoot());
                List<List<BlockSpec>> groups = groups(doc.context(), plan, doc.partitions());
                LOG.info("phase 1: {} tokens in {} blocks over {} partitions will write {} of K/V ({} layers) to {}",
                        doc.context().length, plan.blockCount(), groups.size(), gib(kvBytes), conf.layout().layers(),
                        conf.kvRoot());
                for (List<BlockSpec> g : groups) {
                    work.add(new PrefillWork(d, conf, g));
                }
            } catch (UserError e) {
                outcomes[d] = new Outcome(null, e);
            }
        }
        if (work.isEmpty()) {
            return List.of(outcomes);
        }
        planned.accept(work.stream().mapToInt(PrefillWork::doc).toArray());
        long t0 = System.nanoTime();
        List<BlockResult> results = jsc.parallelize(work, work.size()).mapPartitions(new PrefillTask()).collect();
        long nanos = System.nanoTime() - t0;
        Map<Integer, List<BlockResult>> byDoc = results.stream().collect(Collectors.groupingBy(BlockResult::doc));
        for (int d = 0; d < docs.size(); d++) {
            if (outcomes[d] != null) {
                continue;
            }
            Document doc = docs.get(d);
            PrefillReport report = report(doc.conf().kvRoot(), doc.context().length, doc.expected().plan(),
                    byDoc.getOrDefault(d, List.of()), nanos);
            try (KvStore store = open(jsc, doc.conf())) {
                store.commit(doc.expected());
            }
            outcomes[d] = new Outcome(report, null);
        }
        return List.of(outcomes);
    }

    private static KvStore open(JavaSparkContext jsc, PrefillConf conf) {
        return HadoopKvStore.open(URI.create(conf.kvRoot()), jsc.hadoopConfiguration(), conf.layout(), conf.binding(),
                HadoopKvStore.DEFAULT_CACHE_BYTES);
    }

    /**
     * The bytes of the block files phase 1 will write; a user error, before any work, when one block does not
     * fit a block file or the sum passes {@code maxKvBytes}.
     */
    static long requireWithinLimit(KvLayout layout, StarPlan plan, long maxKvBytes, String kvRoot) {
        long bytes = 0;
        for (io.starspark.sharding.Block b : plan.blocks()) {
            layout.requireBlockFits(b.keptLength());
            bytes += layout.blockFileBytes(b.keptLength());
        }
        if (bytes > maxKvBytes) {
            throw new UserError("phase 1 would write " + gib(bytes) + " of K/V (" + plan.contextLength() + " tokens in "
                    + plan.blockCount() + " blocks, " + layout.layers() + " layers, " + layout.dtype() + ") to " + kvRoot
                    + ", over spark.starspark.maxKvBytes = " + gib(maxKvBytes)
                    + "; raise it (-c spark.starspark.maxKvBytes=...), use --kv-dtype f16, or shorten the document");
        }
        return bytes;
    }

    private static String gib(long bytes) {
        return String.format(java.util.Locale.ROOT, "%.2f GiB (%d bytes)", bytes / (double) (1L << 30), bytes);
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
