package io.starspark.model;

import io.starspark.errors.UserError;
import io.starspark.model.gguf.GgufFile;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A loaded Llama-family model: config, tokenizer, weights. Immutable; shared by all tasks in a JVM. */
public final class LlamaModel {
    private static final Logger LOG = LoggerFactory.getLogger(LlamaModel.class);
    private final Path path;
    private final LlamaConfig config;
    private final Tokenizer tokenizer;
    private final LlamaWeights weights;
    private final String chatTemplate; // tokenizer.chat_template, or null
    private volatile ChatTemplate chat;
    private final AtomicBoolean warnedPastContext = new AtomicBoolean();
    private volatile String id;

    public LlamaModel(Path path, LlamaConfig config, Tokenizer tokenizer, LlamaWeights weights) {
        this(path, config, tokenizer, weights, null);
    }

    /** @param chatTemplate the file's {@code tokenizer.chat_template}, or null when it has none */
    public LlamaModel(Path path, LlamaConfig config, Tokenizer tokenizer, LlamaWeights weights, String chatTemplate) {
        this.path = path;
        this.config = config;
        this.tokenizer = tokenizer;
        this.weights = weights;
        this.chatTemplate = chatTemplate;
    }

    /** Loads a GGUF model; every user-facing problem is a one-line {@link ModelFormatException}. */
    public static LlamaModel load(Path gguf) {
        try (GgufFile f = GgufFile.open(gguf)) {
            LlamaConfig config = LlamaConfig.from(f);
            Tokenizer tokenizer = Tokenizer.from(f);
            String template = f.has("tokenizer.chat_template") ? f.getString("tokenizer.chat_template") : null;
            return new LlamaModel(gguf, config, tokenizer, LlamaWeights.load(f, config), template);
        }
    }

    public Path path() {
        return path;
    }

    public LlamaConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public LlamaWeights weights() {
        return weights;
    }

    /** The model's own chat template ({@code tokenizer.chat_template}); a user error naming the file if it has none. */
    public ChatTemplate chatTemplate() {
        ChatTemplate c = chat;
        if (c == null) {
            if (chatTemplate == null) {
                throw new UserError(path.getFileName()
                    + " has no chat template (tokenizer.chat_template); drop --chat / \"chat\": true");
            }
            synchronized (this) {
                if (chat == null) {
                    chat = new ChatTemplate(chatTemplate, tokenizer);
                }
                c = chat;
            }
        }
        return c;
    }

    /**
     * Logs once per model (a warning with both numbers) when a request reaches past the context the model was
     * trained for. Running past it is allowed: Star Attention exists for that.
     *
     * @param positions the number of positions a request uses (context, prompt and new tokens)
     * @return whether this call logged the warning
     */
    public boolean checkTrainedContext(long positions) {
        if (positions > config.contextLength() && warnedPastContext.compareAndSet(false, true)) {
            LOG.warn("{} positions requested, past the model's trained context of {} ({}.context_length in {}); "
                + "running anyway (further requests past it are not logged again)", positions,
                config.contextLength(), config.arch(), path.getFileName());
            return true;
        }
        return false;
    }

    /** Stable model id: sha-256 of the file, lower-case hex (computed once, on first call). */
    public String id() {
        String v = id;
        if (v == null) {
            synchronized (this) {
                if (id == null) {
                    id = sha256(path);
                }
                v = id;
            }
        }
        return v;
    }

    static String sha256(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot hash " + p, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }
}
