package io.starspark.model;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.starspark.kernels.jvm.JavaKernels;
import io.starspark.model.synth.SyntheticModels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import io.starspark.model.gguf.GgufValue;
import io.starspark.model.gguf.GgufValueType;
import io.starspark.model.gguf.GgufWriter;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A seeded mutation loop over a small valid GGUF model: every mutated file either loads (and then answers
 * one forward pass) or is refused with the module's own {@link ModelFormatException}; any other exception,
 * an OutOfMemoryError or a hang (the timeout) fails. The seed is fixed and printed; {@code -Dfuzz.seed=N} runs another.
 */
class GgufFuzzTest {
    private static final int ITERATIONS = 600;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int ODD_KINDS = 8;
    /** Values that break size math: zero, negative, int and long limits, just past them. */
    private static final long[] EDGES = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L,
        Long.MAX_VALUE, Long.MIN_VALUE, 1L << 40, 4097, 255};

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutatedModelsLoadOrAreRefusedWithAFormatError() throws IOException {
        long seed = Long.getLong("fuzz.seed", 8734111289575L); // fixed (CI repeats it); this one found a BOS -1 bug
        System.out.println("GgufFuzzTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        Path valid = dir.resolve("valid.gguf");
        writer().write(valid);
        byte[] original = Files.readAllBytes(valid);
        List<String> keys = List.copyOf(writer().metadata().keySet());
        int headerEnd = headerEnd(valid, original.length);
        JavaKernels kernels = new JavaKernels(1);
        long start = System.nanoTime();
        int loaded = 0;
        int refused = 0;
        int i = 0;
        int structural = keys.size() * ODD_KINDS; // always all of these, then random mutations within the budget
        for (; i < structural || i < ITERATIONS && System.nanoTime() - start < BUDGET_NANOS; i++) {
            Path p = dir.resolve("m" + (i % 4) + ".gguf");
            if (i < structural) { // every key with every odd value: type confusion, huge counts
                writer().put(keys.get(i / ODD_KINDS), oddValue(i % ODD_KINDS, random)).write(p);
            } else {
                Files.write(p, mutate(original, headerEnd, random));
            }
            byte[] bytes = Files.readAllBytes(p);
            try {
                LlamaModel m = LlamaModel.load(p);
                int[] prompt = m.tokenizer().encode("a", true, false); // BOS (when the vocabulary has one) + "a"
                new Generator(m, kernels).generate(prompt, 1, Sampler.greedy());
                loaded++;
            } catch (ModelFormatException e) {
                assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
                refused++;
            } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                Path kept = dir.getParent().resolve("gguf-fuzz-failure-" + seed + "-" + i + ".gguf");
                Files.write(kept, bytes);
                fail("seed " + seed + " iteration " + i + " (file kept at " + kept + "): " + e, e);
            }
        }
        System.out.printf("GgufFuzzTest: %d mutations, %d loaded, %d refused with a format error%n", i, loaded, refused);
        assertTrue(refused > 0 && i >= structural, "the loop ran (" + i + " iterations)");
    }

    private static GgufWriter writer() {
        return SyntheticModels.writer(new SyntheticModels.Shape("fuzz", SyntheticModels.Family.LLAMA, 32, 2, 4, 2, 8, 64,
            320, 256, 10000f, 1e-5f, null), "q8_0", 3L);
    }

    /** Value {@code kind} (0..{@link #ODD_KINDS}-1): scalars at edges, arrays of the wrong element type or length. */
    private static GgufValue oddValue(int kind, SplittableRandom random) {
        int n = random.nextInt(2) == 0 ? 320 : random.nextInt(4);
        return switch (kind) {
            case 0 -> GgufValue.ofString("x");
            case 1 -> GgufValue.ofUint32(EDGES[random.nextInt(EDGES.length)] & 0xffffffffL);
            case 2 -> GgufValue.ofInt32((int) EDGES[random.nextInt(EDGES.length)]);
            case 3 -> GgufValue.ofFloat32(random.nextBoolean() ? Float.NaN : -1e30f);
            case 4 -> GgufValue.ofBool(random.nextBoolean());
            case 5 -> GgufValue.ofArray(GgufValueType.INT32, Collections.nCopies(n, (int) EDGES[random.nextInt(EDGES.length)]));
            case 6 -> GgufValue.ofArray(GgufValueType.STRING, Collections.nCopies(n, "<0x41>"));
            default -> GgufValue.ofArray(GgufValueType.FLOAT32, Collections.nCopies(n, Float.NaN));
        };
    }

    /** One mutation: mostly in the header (metadata, tensor infos), sometimes in the data or the length. */
    private static byte[] mutate(byte[] original, int headerEnd, SplittableRandom random) {
        byte[] b = original.clone();
        int kind = random.nextInt(6);
        int at = random.nextInt(headerEnd);
        switch (kind) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> b[at] = (byte) random.nextInt(256);
            case 2 -> { // an edge value over a count, length, dim or offset
                int pos = Math.min(at, b.length - 8);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(pos, EDGES[random.nextInt(EDGES.length)]);
            }
            case 3 -> { // a 32-bit edge value (types, dims count, ids)
                int pos = Math.min(at, b.length - 4);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, (int) EDGES[random.nextInt(EDGES.length)]);
            }
            case 4 -> { // truncation
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            default -> { // a few bytes of tensor data: NaN/Inf scales or values
                for (int n = 0; n < 4; n++) {
                    b[headerEnd + random.nextInt(b.length - headerEnd)] = (byte) random.nextInt(256);
                }
            }
        }
        return b;
    }

    private static int headerEnd(Path valid, int length) {
        try (io.starspark.model.gguf.GgufFile f = io.starspark.model.gguf.GgufFile.open(valid)) {
            return (int) Math.min(f.dataStart(), length);
        }
    }
}
