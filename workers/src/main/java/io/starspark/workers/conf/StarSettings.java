package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import io.starspark.kv.KvDtype;
import java.io.Serializable;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.SparkConf;
import scala.Tuple2;

/**
 * The validated {@code spark.starspark.*} settings of one job. Built from a SparkConf (driver and
 * executors) or a plain map (CLI, tests) through {@link StarKeys}; {@link #toConf()} writes every
 * value back fully resolved, so executors see exactly what the driver saw.
 *
 * @param model empty when not set; see {@link #requireModel()}
 */
public record StarSettings(KernelsChoice kernels, int blockSize, int anchorSize, int pageSize, URI kvDir,
                           KvDtype kvDtype, AttentionMode attention, int sparseTopK, int sparseSinkPages,
                           int sparseLocalPages, String model) implements Serializable {

    public StarSettings {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(kvDir, "kvDir");
        Objects.requireNonNull(kvDtype, "kvDtype");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(model, "model");
        require(pageSize > 0, "%s must be positive (got %d)", StarKeys.PAGE_SIZE.key(), pageSize);
        require(blockSize > 0 && blockSize % pageSize == 0, "%s must be a positive multiple of %s (got %d, pageSize %d)",
                StarKeys.BLOCK_SIZE.key(), StarKeys.PAGE_SIZE.key(), blockSize, pageSize);
        require(anchorSize >= 1 && anchorSize <= blockSize, "%s must be between 1 and blockSize (got %d, blockSize %d)",
                StarKeys.ANCHOR_SIZE.key(), anchorSize, blockSize);
        require(sparseTopK >= 1, "%s must be positive (got %d)", StarKeys.SPARSE_TOP_K.key(), sparseTopK);
        require(sparseSinkPages >= 0, "%s must be >= 0 (got %d)", StarKeys.SPARSE_SINK_PAGES.key(), sparseSinkPages);
        require(sparseLocalPages >= 0, "%s must be >= 0 (got %d)", StarKeys.SPARSE_LOCAL_PAGES.key(), sparseLocalPages);
        require(kvDir.isAbsolute() && kvDir.getPath() != null, "%s must be an absolute URI with a path (got '%s')",
                StarKeys.KV_DIR.key(), kvDir);
    }

    /** All defaults. */
    public static StarSettings defaults() {
        return from(Map.of());
    }

    /** Reads every key through the registry; unknown {@code spark.starspark.*} keys are errors (typos). */
    public static StarSettings from(Map<String, String> conf) {
        rejectUnknownKeys(conf);
        return new StarSettings(StarKeys.KERNELS.read(conf), StarKeys.BLOCK_SIZE.read(conf),
                StarKeys.ANCHOR_SIZE.read(conf), StarKeys.PAGE_SIZE.read(conf), StarKeys.KV_DIR.read(conf),
                StarKeys.KV_DTYPE.read(conf), StarKeys.ATTENTION.read(conf), StarKeys.SPARSE_TOP_K.read(conf),
                StarKeys.SPARSE_SINK_PAGES.read(conf), StarKeys.SPARSE_LOCAL_PAGES.read(conf),
                StarKeys.MODEL.read(conf));
    }

    /** Reads the {@code spark.starspark.*} entries of a SparkConf (on executors: {@code SparkEnv.get().conf()}). */
    public static StarSettings from(SparkConf conf) {
        Map<String, String> map = new LinkedHashMap<>();
        for (Tuple2<String, String> entry : conf.getAllWithPrefix(Setting.PREFIX)) {
            map.put(Setting.PREFIX + entry._1(), entry._2());
        }
        return from(map);
    }

    /** Every key with its resolved value, ready for {@code SparkConf.setAll}. */
    public Map<String, String> toConf() {
        Map<String, String> conf = new LinkedHashMap<>();
        conf.put(StarKeys.KERNELS.key(), Setting.lower(kernels));
        conf.put(StarKeys.BLOCK_SIZE.key(), Integer.toString(blockSize));
        conf.put(StarKeys.ANCHOR_SIZE.key(), Integer.toString(anchorSize));
        conf.put(StarKeys.PAGE_SIZE.key(), Integer.toString(pageSize));
        conf.put(StarKeys.KV_DIR.key(), kvDir.toString());
        conf.put(StarKeys.KV_DTYPE.key(), Setting.lower(kvDtype));
        conf.put(StarKeys.ATTENTION.key(), Setting.lower(attention));
        conf.put(StarKeys.SPARSE_TOP_K.key(), Integer.toString(sparseTopK));
        conf.put(StarKeys.SPARSE_SINK_PAGES.key(), Integer.toString(sparseSinkPages));
        conf.put(StarKeys.SPARSE_LOCAL_PAGES.key(), Integer.toString(sparseLocalPages));
        conf.put(StarKeys.MODEL.key(), model);
        return conf;
    }

    /** The model location; a user error when it was not given. */
    public String requireModel() {
        require(!model.isEmpty(), "no model given: set %s or pass --model FILE.gguf", StarKeys.MODEL.key());
        return model;
    }

    private static void rejectUnknownKeys(Map<String, String> conf) {
        List<String> unknown = new ArrayList<>();
        for (String key : conf.keySet()) {
            if (key.startsWith(Setting.PREFIX) && StarKeys.find(key) == null) {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            String hint = StarKeys.ALL.stream().filter(s -> s.key().equalsIgnoreCase(unknown.get(0)))
                    .map(s -> "; did you mean " + s.key() + "?").findFirst()
                    .orElse("; known keys: " + String.join(", ", StarKeys.ALL.stream().map(Setting::key).toList()));
            throw new UserError("unknown setting " + unknown.get(0) + hint);
        }
    }

    private static void require(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new UserError(String.format(format, args));
        }
    }
}
