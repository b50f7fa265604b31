package io.starspark.workers.conf;

import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.workers.Locations;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.network.util.JavaUtils;

/**
 * The registry: every {@code spark.starspark.*} key, defined once (type, default, doc, own check, field of
 * {@link StarSettings}). Adding a key: define it here and list it in {@link #ALL}; add its field to
 * {@link StarSettings} (component, {@code from}, check).
 */
public final class StarKeys {

    public static final Setting<KernelsChoice> KERNELS = Setting.choice(
            KernelsChoice.KEY.substring(Setting.PREFIX.length()), KernelsChoice.class, KernelsChoice.AUTO,
            "kernel backend, chosen once per JVM (auto: java; on an OpenCL GPU, prefill blocks there and every other"
                + " call on java)", StarSettings::kernels);

    public static final Setting<Integer> BLOCK_SIZE = Setting.integer("blockSize", 1, 4096, null,
            "context tokens per Star Attention block (one phase-1 task each); a multiple of pageSize",
            StarSettings::blockSize);

    public static final Setting<Integer> ANCHOR_SIZE = Setting.integer("anchorSize", 1, null, BLOCK_SIZE,
            "leading context tokens prepended to every block after the first; 1..blockSize", StarSettings::anchorSize);

    public static final Setting<Integer> PAGE_SIZE = Setting.integer("pageSize", 1, 64, null,
            "tokens per K/V page: the unit of storage, summaries and sparse retrieval", StarSettings::pageSize);

    public static final Setting<URI> KV_DIR = Setting.of("kvDir",
            "Hadoop FileSystem URI where phase 1 writes K/V pages (file://, hdfs://, s3a://)",
            "file:<starspark.home or cwd>/target/kv", StarKeys::parseDir,
            uri -> uri.isAbsolute() && uri.getPath() != null, "must be an absolute URI with a path",
            conf -> defaultKvDir(), StarSettings::kvDir);

    public static final Setting<KvDtype> KV_DTYPE = Setting.choice("kvDtype", KvDtype.class, KvDtype.F32,
            "element type of K/V, stored pages and the decode cache (f16: as llama.cpp, half the bytes)",
            StarSettings::kvDtype);

    public static final Setting<AttentionMode> ATTENTION = Setting.choice("attention", AttentionMode.class,
            AttentionMode.STAR, "attention for prefill and decoding", StarSettings::attention);

    public static final Setting<Integer> SPARSE_TOP_K = Setting.integer("sparse.topK", 1, 32, null,
            "pages per layer and KV head picked by Quest score in sparse decoding", StarSettings::sparseTopK);

    public static final Setting<Integer> SPARSE_SINK_PAGES = Setting.integer("sparse.sinkPages", 0, 1, null,
            "leading context pages always attended to in sparse decoding", StarSettings::sparseSinkPages);

    public static final Setting<Integer> SPARSE_LOCAL_PAGES = Setting.integer("sparse.localPages", 0, 1, null,
            "most recent context pages always attended to in sparse decoding", StarSettings::sparseLocalPages);

    public static final Setting<String> MODEL = Setting.of("model",
            "GGUF model file: a local path or a Hadoop FileSystem URI", "none", raw -> raw, raw -> true, "",
            conf -> "", StarSettings::model);

    public static final Setting<Long> MAX_KV_BYTES = Setting.of("maxKvBytes",
            "most K/V bytes one document's phase 1 may write (e.g. 512m, 64g); a larger document is refused"
                    + " before phase 1, naming its tokens, blocks and bytes",
            "64g", StarKeys::parseBytes, v -> v > 0, "must be positive", conf -> 64L << 30, StarSettings::maxKvBytes);

    /** Every key, in documentation order. */
    public static final List<Setting<?>> ALL = List.of(KERNELS, BLOCK_SIZE, ANCHOR_SIZE, PAGE_SIZE, KV_DIR,
            KV_DTYPE, ATTENTION, SPARSE_TOP_K, SPARSE_SINK_PAGES, SPARSE_LOCAL_PAGES, MODEL, MAX_KV_BYTES);

    private StarKeys() {
    }

    /** The README settings table, one row per key in {@link #ALL} order (a test keeps README.md equal to it). */
    public static String markdownTable() {
        StringBuilder table = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        ALL.forEach(s -> table.append(s.markdownRow()).append('\n'));
        return table.toString();
    }

    /** The setting with this full key, or null. */
    public static Setting<?> find(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
    }

    /** A byte count with Spark's binary suffixes: {@code 1048576}, {@code 512k}, {@code 64g}, {@code 1t}. */
    static Long parseBytes(String raw) {
        try {
            return JavaUtils.byteStringAsBytes(raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a size in bytes such as 512m or 64g");
        }
    }

    /** A URI with a scheme is kept; a plain path becomes an absolute file: URI. */
    static URI parseDir(String raw) {
        if (Locations.isUri(raw)) {
            try {
                URI uri = new URI(raw);
                if (uri.getPath() == null || uri.getPath().isEmpty()) {
                    throw new IllegalArgumentException("must be a URI with a path, e.g. hdfs://namenode:8020/kv");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("is not a valid URI: " + e.getReason());
            }
        }
        return Path.of(raw).toAbsolutePath().normalize().toUri();
    }

    private static URI defaultKvDir() {
        String home = System.getProperty("starspark.home", System.getProperty("user.dir"));
        return Path.of(home, "target", "kv").toAbsolutePath().normalize().toUri();
    }
}
