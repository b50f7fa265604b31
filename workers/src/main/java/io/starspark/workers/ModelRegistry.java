package io.starspark.workers;

import io.starspark.model.LlamaModel;
import io.starspark.model.ModelFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model weights loaded once per JVM (driver or executor) and shared, read-only, by all tasks in it.
 * A model on a Hadoop FileSystem ({@code hdfs://}, {@code s3a://}) is first copied to a local file
 * under {@code java.io.tmpdir} (GGUF is memory-mapped, which needs a local file).
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ConcurrentMap<String, LlamaModel> MODELS = new ConcurrentHashMap<>();

    private ModelRegistry() {
    }

    /** The model at {@code location} (local path, {@code file:} URI or Hadoop URI), loaded on first use in this JVM. */
    public static LlamaModel get(String location) {
        return MODELS.computeIfAbsent(location, ModelRegistry::load);
    }

    private static LlamaModel load(String location) {
        long t0 = System.nanoTime();
        Path local = localPath(location);
        LlamaModel m = LlamaModel.load(local);
        LOG.info("model {} loaded in {} ms ({} layers, dim {})", location, (System.nanoTime() - t0) / 1_000_000,
                m.config().layers(), m.config().dim());
        return m;
    }

    static Path localPath(String location) {
        if (location.startsWith("file:")) {
            return Path.of(URI.create(location));
        }
        if (!Locations.isNonFileUri(location)) {
            return Path.of(location).toAbsolutePath().normalize();
        }
        return fetch(location);
    }

    /** Copies a remote model to a local cache file once (temp name + rename, so readers never see half a file). */
    private static Path fetch(String location) {
        org.apache.hadoop.fs.Path remote = new org.apache.hadoop.fs.Path(URI.create(location));
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "starspark-models");
        Path local = dir.resolve(Integer.toHexString(location.hashCode()) + "-" + remote.getName());
        try {
            FileSystem fs = remote.getFileSystem(HadoopConfs.current());
            FileStatus status = fs.getFileStatus(remote);
            long size = status.getLen();
            // the copy carries the remote modification time: a model replaced by one of the same size is fetched again
            FileTime modified = FileTime.fromMillis(status.getModificationTime());
            if (Files.isRegularFile(local) && Files.size(local) == size
                    && Files.getLastModifiedTime(local).equals(modified)) {
                return local;
            }
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "model-", ".part");
            try (InputStream in = fs.open(remote)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.setLastModifiedTime(tmp, modified);
                Files.move(tmp, local, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            LOG.info("model {} copied to {} ({} bytes)", location, local, size);
            return local;
        } catch (java.io.FileNotFoundException e) {
            throw new ModelFormatException(location, "model file not found");
        } catch (IOException e) {
            throw new ModelFormatException(location, "cannot copy the model to " + local + ": " + e.getMessage());
        }
    }
}
