package io.starspark.kv;

import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.util.Arrays;
import java.util.SplittableRandom;

/** A random document's K/V, cut into blocks as a {@link StarPlan} says. */
final class TestDocs {
    final KvLayout layout;
    final StarPlan plan;
    final float[][] k; // per layer [contextLength][kvHeads][headDim]
    final float[][] v;

    TestDocs(KvLayout layout, StarPlan plan, long seed) {
        this.layout = layout;
        this.plan = plan;
        SplittableRandom random = new SplittableRandom(seed);
        int n = plan.contextLength() * layout.rowFloats();
        k = new float[layout.layers()][n];
        v = new float[layout.layers()][n];
        for (int l = 0; l < layout.layers(); l++) {
            for (int i = 0; i < n; i++) {
                k[l][i] = (float) (random.nextGaussian() * 3);
                v[l][i] = (float) random.nextGaussian();
            }
        }
    }

    BlockKv block(Block b) {
        int row = layout.rowFloats();
        float[][] bk = new float[layout.layers()][];
        float[][] bv = new float[layout.layers()][];
        for (int l = 0; l < layout.layers(); l++) {
            bk[l] = Arrays.copyOfRange(k[l], b.start() * row, b.end() * row);
            bv[l] = Arrays.copyOfRange(v[l], b.start() * row, b.end() * row);
        }
        return new BlockKv(b.keptLength(), bk, bv);
    }

    void writeAll(KvStore store) {
        for (Block b : plan.blocks()) {
            store.writeBlock(b.index(), b.start(), block(b));
        }
    }

    /** Rows {@code [start, end)} of {@code src} ({@code [tokens][kvHeads][headDim]}), rounded as stored. */
    float[] rows(float[] src, int start, int end) {
        int row = layout.rowFloats();
        return layout.dtype().rounded(Arrays.copyOfRange(src, start * row, end * row));
    }

    Manifest manifest() {
        return manifest(layout, plan);
    }

    /** The manifest of the test document of this layout and plan (token ids follow a fixed formula). */
    static Manifest manifest(KvLayout layout, StarPlan plan) {
        int[] tokens = new int[plan.contextLength()];
        Arrays.setAll(tokens, i -> (i * 7919) % 32000);
        return Manifest.of("doc-1", "9f3a" + "0".repeat(60), layout, plan, tokens, "test");
    }
}
