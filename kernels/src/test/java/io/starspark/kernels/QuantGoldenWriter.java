package io.starspark.kernels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Step 2 of {@code oracle/quants.py}: quantizes {@code inputs.f32} with our quantizer of every
 * {@link BlockType} into {@code <type>.ours.bin}, which the script then dequantizes with gguf-py.
 * Usage: {@code QuantGoldenWriter DIR}.
 */
public final class QuantGoldenWriter {
    private QuantGoldenWriter() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args[0]);
        float[] x = QuantGoldens.floats(Files.readAllBytes(dir.resolve("inputs.f32")));
        for (BlockType t : BlockType.values()) {
            byte[] out = new byte[t.rowBytes(x.length)];
            t.quantize(x, 0, x.length, out, 0);
            Files.write(dir.resolve(t + ".ours.bin"), out);
        }
    }
}
