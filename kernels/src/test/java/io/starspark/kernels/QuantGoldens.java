package io.starspark.kernels;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Reads the gguf-py goldens under {@code golden/quants/} (written by {@code oracle/quants.py}). */
final class QuantGoldens {
    private QuantGoldens() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = QuantGoldens.class.getResourceAsStream("/golden/quants/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden golden/quants/" + name + " (run oracle/quants.py)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static float[] floats(byte[] b) {
        float[] f = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(f);
        return f;
    }
}
