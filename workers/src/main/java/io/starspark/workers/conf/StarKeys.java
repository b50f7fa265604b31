package io.starspark.workers.conf;

import io.starspark.kv.KvDtype;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** The registry: every {@code spark.starspark.*} key, defined once. */
public final class StarKeys {

    public static final Setting<KernelsChoice> KERNELS = Setting.choice("kernels", KernelsChoice.class,
            KernelsChoice.AUTO, "kernel backend, chosen once per JVM: auto|java|aparapi|reference");

    public static final Setting<Integer> BLOCK_SIZE = Setting.positiveInt("blockSize", 4096,
            "context tokens per Star Attention block (one phase-1 task each); a multiple of pageSize");

    public static final Setting<Integer> ANCHOR_SIZE = Setting.of("anchorSize",
            "leading context tokens prepended to every block after the first; 1..blockSize",
            "blockSize", Setting::parsePositive, BLOCK_SIZE::read);

    public static final Setting<Integer> PAGE_SIZE = Setting.positiveInt("pageSize", 64,
            "tokens per K/V page: the unit of storage, summaries and sparse retrieval");

    public static final Setting<URI> KV_DIR = Setting.of("kvDir",
            "Hadoop FileSystem URI where phase 1 writes K/V pages (file://, hdfs://, s3a://)",
            "file:<starspark.home or cwd>/target/kv", StarKeys::parseDir, conf -> defaultKvDir());

    public static final Setting<KvDtype> KV_DTYPE = Setting.choice("kvDtype", KvDtype.class,
            KvDtype.F32, "element type of stored K/V pages: f32|f16");

    public static final Setting<AttentionMode> ATTENTION = Setting.choice("attention", AttentionMode.class,
            AttentionMode.STAR, "attention for prefill and decoding: full|star|sparse");

    public static final Setting<Integer> SPARSE_TOP_K = Setting.positiveInt("sparse.topK", 32,
            "pages per layer and KV head picked by Quest score in sparse decoding");

    public static final Setting<Integer> SPARSE_SINK_PAGES = Setting.nonNegativeInt("sparse.sinkPages", 1,
            "leading context pages always attended to in sparse decoding");

    public static final Setting<Integer> SPARSE_LOCAL_PAGES = Setting.nonNegativeInt("sparse.localPages", 1,
            "most recent context pages always attended to in sparse decoding");

    public static final Setting<String> MODEL = Setting.of("model",
            "GGUF model file: a local path or a Hadoop FileSystem URI", "none", raw -> raw, conf -> "");

    /** Every key, in documentation order. */
    public static final List<Setting<?>> ALL = List.of(KERNELS, BLOCK_SIZE, ANCHOR_SIZE, PAGE_SIZE, KV_DIR,
            KV_DTYPE, ATTENTION, SPARSE_TOP_K, SPARSE_SINK_PAGES, SPARSE_LOCAL_PAGES, MODEL);

    private StarKeys() {
    }

    /** The setting with this full key, or null. */
    public static Setting<?> find(String key) {
        return ALL.stream().filter(s -> s.key().equals(key)).findFirst().orElse(null);
    }

    /** A URI with a scheme is kept; a plain path becomes an absolute file: URI. */
    static URI parseDir(String raw) {
        if (raw.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !raw.matches("^[A-Za-z]:\\\\.*")) {
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
