package io.starspark.workers.conf;

import io.starspark.errors.UserError;
import io.starspark.kernels.KernelsChoice;
import io.starspark.kernels.KvDtype;
import io.starspark.workers.SparseSettings;
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
 * @param model       empty when not set; see {@link #requireModel()}
 * @param maxKvBytes  the most K/V bytes one document's phase 1 may write
 */
public record StarSettings(KernelsChoice kernels, int blockSize, int anchorSize, int pageSize, URI kvDir,
                           KvDtype kvDtype, AttentionMode attention, int sparseTopK, int sparseSinkPages,
                           int sparseLocalPages, String model, long maxKvBytes) implements Serializable {

    /** Each key's own check (defined with the key in {@link StarKeys}), then the rules between keys. */
    public StarSettings {
        Objects.requireNonNull(kernels, "kernels");
        Objects.requireNonNull(kvDir, "kvDir");
        Objects.requireNonNull(kvDtype, "kvDtype");
        Objects.requireNonNull(attention, "attention");
        Objects.requireNonNull(model, "model");
        StarKeys.BLOCK_SIZE.check(blockSize);
        StarKeys.ANCHOR_SIZE.check(anchorSize);
        StarKeys.PAGE_SIZE.check(pageSize);
        StarKeys.KV_DIR.check(kvDir);
        StarKeys.SPARSE_TOP_K.check(sparseTopK);
        StarKeys.SPARSE_SINK_PAGES.check(sparseSinkPages);
        StarKeys.SPARSE_LOCAL_PAGES.check(sparseLocalPages);
        StarKeys.MAX_KV_BYTES.check(maxKvBytes);
        require(blockSize % pageSize == 0, "%s must be a positive multiple of %s (got %d, pageSize %d)",
                StarKeys.BLOCK_SIZE.key(), StarKeys.PAGE_SIZE.key(), blockSize, pageSize);
        require(anchorSize <= blockSize, "%s must be between 1 and blockSize (got %d, blockSize %d)",
                StarKeys.ANCHOR_SIZE.key(), anchorSize, blockSize);
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
                StarKeys.MODEL.read(conf), StarKeys.MAX_KV_BYTES.read(conf));
    }

    /** Checks one {@code spark.starspark.*} entry alone: a known key whose value parses (not the cross-key rules). */
    public static void requireValid(String key, String value) {
        Map<String, String> one = Map.of(key, value);
        rejectUnknownKeys(one);
        StarKeys.find(key).read(one);
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
        for (Setting<?> s : StarKeys.ALL) {
            conf.put(s.key(), s.write(this));
        }
        return conf;
    }

    /** The sparse page budget these settings give (whether or not attention is sparse). */
    public SparseSettings sparse() {
        return new SparseSettings(sparseTopK, sparseSinkPages, sparseLocalPages);
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
