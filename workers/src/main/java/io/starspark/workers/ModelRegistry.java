package io.starspark.workers;

import io.starspark.model.LlamaModel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Model weights loaded once per JVM (driver or executor) and shared, read-only, by all tasks in it.
 * Keyed by the absolute local path of the GGUF file.
 */
public final class ModelRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(ModelRegistry.class);
    private static final ConcurrentMap<Path, LlamaModel> MODELS = new ConcurrentHashMap<>();

    private ModelRegistry() {
    }

    /** The model at {@code path}, loading it on first use in this JVM. */
    public static LlamaModel get(String path) {
        Path key = Path.of(path).toAbsolutePath().normalize();
        return MODELS.computeIfAbsent(key, p -> {
            long t0 = System.nanoTime();
            LlamaModel m = LlamaModel.load(p);
            LOG.info("model {} loaded in {} ms ({} layers, dim {})", p, (System.nanoTime() - t0) / 1_000_000,
                    m.config().layers(), m.config().dim());
            return m;
        });
    }
}
