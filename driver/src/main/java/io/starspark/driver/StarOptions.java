package io.starspark.driver;

import io.starspark.kernels.KernelsChoice;
import io.starspark.workers.SparseSettings;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarKeys;
import io.starspark.workers.conf.StarSettings;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The attention and K/V flags shared by {@code generate} and {@code run}; each one overrides its
 * {@code spark.starspark.*} key on top of {@link SettingsOptions} (system properties, --settings, -c).
 */
public final class StarOptions {

    @Option(names = "--attention", description = "full, star or sparse (default: spark.starspark.attention, star)")
    String attention;

    @Option(names = "--block-size", description = "Star block size (spark.starspark.blockSize)")
    Integer blockSize;

    @Option(names = "--anchor-size", description = "Star anchor size (spark.starspark.anchorSize)")
    Integer anchorSize;

    @Option(names = "--page-size", description = "K/V page size (spark.starspark.pageSize)")
    Integer pageSize;

    @Option(names = "--kv-dir", paramLabel = "URI", description = "where K/V pages go (spark.starspark.kvDir)")
    String kvDir;

    @Option(names = "--kv-dtype", description = "f32 or f16 (spark.starspark.kvDtype)")
    String kvDtype;

    @Option(names = "--top-k", description = "sparse: pages per layer and KV head (spark.starspark.sparse.topK)")
    Integer topK;

    @Option(names = "--kernels", completionCandidates = KernelsChoices.class,
            description = "one of: ${COMPLETION-CANDIDATES} (spark.starspark.kernels)")
    String kernels;

    @Option(names = "--reprefill",
            description = "delete a document's stored K/V and prefill it again (after a model or settings change)")
    boolean reprefill;

    /** The validated settings: {@code base}'s sources, then these flags, then {@code --model} when given. */
    StarSettings settings(SettingsOptions base, String model) {
        Map<String, String> raw = base.raw();
        put(raw, StarKeys.ATTENTION.key(), attention);
        put(raw, StarKeys.BLOCK_SIZE.key(), blockSize);
        put(raw, StarKeys.ANCHOR_SIZE.key(), anchorSize);
        put(raw, StarKeys.PAGE_SIZE.key(), pageSize);
        put(raw, StarKeys.KV_DIR.key(), kvDir);
        put(raw, StarKeys.KV_DTYPE.key(), kvDtype);
        put(raw, StarKeys.SPARSE_TOP_K.key(), topK);
        put(raw, StarKeys.KERNELS.key(), kernels);
        put(raw, StarKeys.MODEL.key(), model);
        return StarSettings.from(raw);
    }

    /** True when --attention was given on the command line. */
    public boolean attentionGiven() {
        return attention != null;
    }

    /** True when --block-size was given on the command line. */
    public boolean blockSizeGiven() {
        return blockSize != null;
    }

    /** True when --anchor-size was given on the command line. */
    public boolean anchorSizeGiven() {
        return anchorSize != null;
    }

    /** True when --top-k was given on the command line. */
    public boolean topKGiven() {
        return topK != null;
    }

    /** --reprefill. */
    public boolean reprefill() {
        return reprefill;
    }

    /** The sparse page budget, or null for exact phase 2 (star). */
    static SparseSettings sparse(StarSettings settings) {
        return settings.attention() == AttentionMode.SPARSE
                ? settings.sparse()
                : null;
    }

    /** The {@code --kernels} values, as {@link KernelsChoice} writes them. */
    static final class KernelsChoices implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return java.util.Arrays.stream(KernelsChoice.values()).map(KernelsChoice::toString).iterator();
        }
    }

    private static void put(Map<String, String> raw, String key, Object value) {
        if (value != null) {
            raw.put(key, value.toString());
        }
    }
}
