package io.starspark.kv;

import io.starspark.kernels.KvDtype;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.starspark.sharding.StarPlan;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A seeded mutation loop over a valid block file: a store holding the mutated file either reads it (summaries,
 * all pages, selected pages) or refuses it with a {@link KvStoreException}; any other exception, an
 * OutOfMemoryError or a hang (the timeout) fails. The seed is fixed and printed; {@code -Dfuzz.seed=N} runs another.
 */
class BlockFileFuzzTest {
    private static final int ITERATIONS = 3000;
    private static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int[] EDGES = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x10000, 0x40000000, 4097, 3};
    private static final KvLayout LAYOUT = new KvLayout(2, 2, 4, 4, KvDtype.F16);
    private static final StarPlan PLAN = StarPlan.of(21, 8, 3, 4);

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mutatedBlockFilesAreReadOrRefusedWithAStoreError() {
        long seed = Long.getLong("fuzz.seed", 20261202L); // fixed, so CI repeats it
        System.out.println("BlockFileFuzzTest seed " + seed);
        SplittableRandom random = new SplittableRandom(seed);
        TestDocs docs = new TestDocs(LAYOUT, PLAN, seed);
        String binding = docs.manifest().binding();
        byte[][] valid = new byte[PLAN.blockCount()][];
        try (BlobKvStore store = new InMemoryKvStore(LAYOUT, binding, 0)) {
            docs.writeAll(store);
            for (int b = 0; b < valid.length; b++) {
                String name = BlobKvStore.blockName(b);
                valid[b] = store.blobs().read(name, 0, (int) store.blobs().length(name));
            }
        }
        long start = System.nanoTime();
        int read = 0;
        int refused = 0;
        int i = 0;
        for (; i < ITERATIONS && System.nanoTime() - start < BUDGET_NANOS; i++) {
            int victim = random.nextInt(valid.length);
            byte[] mutated = mutate(valid[victim], random);
            try (BlobKvStore store = new InMemoryKvStore(LAYOUT, binding, 1 << 16)) {
                for (int b = 0; b < valid.length; b++) {
                    store.blobs().write(BlobKvStore.blockName(b), b == victim ? mutated : valid[b]);
                }
                try {
                    store.readSummaries();
                    for (int l = 0; l < LAYOUT.layers(); l++) {
                        store.readAll(l);
                        store.readPages(l, new int[] {5, 0, 3});
                    }
                    read++;
                } catch (KvStoreException e) {
                    refused++;
                } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
                    fail("seed " + seed + " iteration " + i + " (block " + victim + "): " + e, e);
                }
            }
        }
        System.out.printf("BlockFileFuzzTest: %d mutations, %d read, %d refused with a store error%n", i, read, refused);
        assertTrue(refused > 0 && i >= 100, "the loop ran (" + i + " iterations)");
    }

    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        int metaEnd = (int) Math.min(b.length, BlockFile.metaBytes(original, "valid"));
        boolean inMeta = random.nextInt(4) > 0;
        int at = inMeta ? random.nextInt(metaEnd) : random.nextInt(b.length);
        switch (random.nextInt(5)) {
            case 0 -> b[at] ^= (byte) (1 << random.nextInt(8));
            case 1 -> { // an edge value over a header int (sizes, counts, token range)
                int pos = 4 * random.nextInt(11);
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(pos, EDGES[random.nextInt(EDGES.length)]);
            }
            case 2 -> { // two header ints at once, so that products and page counts still agree
                ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
                buf.putInt(4 * (2 + random.nextInt(4)), EDGES[random.nextInt(EDGES.length)]);
                buf.putInt(4 * (7 + random.nextInt(4)), EDGES[random.nextInt(EDGES.length)]);
            }
            case 3 -> {
                return Arrays.copyOf(b, random.nextInt(b.length));
            }
            default -> b[at] = (byte) random.nextInt(256);
        }
        return b;
    }
}
