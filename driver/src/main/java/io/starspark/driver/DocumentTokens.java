package io.starspark.driver;

import io.starspark.model.Tokenizer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A document's ids on the driver (BOS + SentencePiece(" " + text)). A long document is announced with its
 * size before tokenizing starts, and every {@link #HEARTBEAT_SECONDS} s while it runs, so a 50 MB context
 * is not minutes of silence.
 */
final class DocumentTokens {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentTokens.class);
    /** Documents of at least this many characters are announced. */
    static final int LONG_CHARS = 1 << 20;
    static final int HEARTBEAT_SECONDS = 10;

    private DocumentTokens() {
    }

    /** @param what names the document in the log, e.g. {@code the context file story.txt} */
    static int[] encode(Tokenizer tokenizer, String text, String what) {
        if (text.length() < LONG_CHARS) {
            return tokenizer.encode(text, true, true);
        }
        String name = Texts.printable(what);
        LOG.info("tokenizing {} ({} characters)", name, text.length());
        long t0 = System.nanoTime();
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tokenizing-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(() -> LOG.info("still tokenizing {} ({} s so far)", name,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)), HEARTBEAT_SECONDS, HEARTBEAT_SECONDS,
                TimeUnit.SECONDS);
        try {
            int[] ids = tokenizer.encode(text, true, true);
            LOG.info("tokenized {}: {} tokens in {} s", name, ids.length,
                    String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            return ids;
        } finally {
            heartbeat.shutdownNow();
        }
    }
}
