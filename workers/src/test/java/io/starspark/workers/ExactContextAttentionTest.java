package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kv.BlockKv;
import io.starspark.kv.InMemoryKvStore;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Exact phase 2 streamed in page groups: any group size gives the partial of one attention over all context
 * keys (to float error; bit for bit when one group holds every page). Memory: {@link ExactContextAttentionHeapTest}.
 */
class ExactContextAttentionTest {
    static final LlamaConfig C = SparseContextAttentionTest.C;
    final Kernels kernels = new ReferenceKernels();

    @Test
    void anyGroupSizeEqualsOneAttentionOverAllKeys() {
        long seed = Long.getLong("starspark.test.seed", 20261205L);
        System.out.println("ExactContextAttentionTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        StarPlan plan = StarPlan.of(203, 32, 16, 8); // 26 pages, the last of 3 tokens
        KvLayout layout = new KvLayout(C.layers(), C.kvHeads(), C.headDim(), plan.pageSize(), KvDtype.F32);
        long pageBytes = 2L * plan.pageSize() * C.kvHeads() * C.headDim() * Float.BYTES;
        try (KvStore store = new InMemoryKvStore(layout, binding(layout, plan), 0)) {
            write(store, plan, layout, r);
            int tokens = 5;
            float[] q = SparseContextAttentionTest.gaussian(r, tokens * C.qDim(), 1); // [tokens][heads][headDim]
            for (int l = 0; l < C.layers(); l++) {
                PageKv all = store.readAll(l);
                AttentionShape shape = AttentionShape.full(tokens, all.tokens(), C.heads(), C.kvHeads(), C.headDim());
                float[] out = new float[tokens * C.qDim()];
                float[] lse = new float[tokens * C.heads()];
                kernels.attention(shape, q, all.k(), all.v(), out, lse);
                Partial whole = new ExactContextAttention(store, kernels, C, plan.pageCount(), Long.MAX_VALUE)
                        .attend(l, q, tokens);
                assertArrayEquals(out, whole.out(), 0f, "one group = one read of all pages, bit for bit");
                assertArrayEquals(lse, whole.lse(), 0f);
                for (int pages : new int[] {1, 3, 7, 25}) {
                    ExactContextAttention grouped = new ExactContextAttention(store, kernels, C, plan.pageCount(),
                            pages * pageBytes);
                    assertEquals(pages, grouped.pagesPerGroup());
                    Partial p = grouped.attend(l, q, tokens);
                    String at = pages + " pages per group, layer " + l + ", seed " + seed;
                    assertArrayEquals(out, p.out(), 1e-5f, at);
                    assertArrayEquals(lse, p.lse(), 1e-5f, at);
                }
            }
        }
    }

    @Test
    void aGroupHoldsAtLeastOnePageAndAtMostTheGroupBytes() {
        StarPlan plan = StarPlan.of(203, 32, 16, 8);
        KvLayout layout = new KvLayout(C.layers(), C.kvHeads(), C.headDim(), plan.pageSize(), KvDtype.F32);
        long pageBytes = 2L * plan.pageSize() * C.kvHeads() * C.headDim() * Float.BYTES; // 1024
        try (KvStore store = new InMemoryKvStore(layout, binding(layout, plan), 0)) {
            assertEquals(1, new ExactContextAttention(store, kernels, C, 26, 1).pagesPerGroup(), "less than a page");
            assertEquals(1, new ExactContextAttention(store, kernels, C, 26, pageBytes).pagesPerGroup());
            assertEquals(1, new ExactContextAttention(store, kernels, C, 26, 2 * pageBytes - 1).pagesPerGroup());
            assertEquals(2, new ExactContextAttention(store, kernels, C, 26, 2 * pageBytes).pagesPerGroup());
            assertEquals(Integer.MAX_VALUE, new ExactContextAttention(store, kernels, C, 26, Long.MAX_VALUE).pagesPerGroup());
            assertEquals("pageCount -1 and groupBytes 1", assertThrows(IllegalArgumentException.class,
                    () -> new ExactContextAttention(store, kernels, C, -1, 1)).getMessage());
            assertEquals("pageCount 0 and groupBytes 0", assertThrows(IllegalArgumentException.class,
                    () -> new ExactContextAttention(store, kernels, C, 0, 0)).getMessage());
            assertNull(new ExactContextAttention(store, kernels, C, 0, 1).attend(0, new float[C.qDim()], 1),
                    "no context pages: no keys, no partial");
        }
    }

    static void write(KvStore store, StarPlan plan, KvLayout layout, SplittableRandom r) {
        int row = layout.rowFloats();
        for (Block b : plan.blocks()) {
            float[][] bk = new float[layout.layers()][];
            float[][] bv = new float[layout.layers()][];
            for (int l = 0; l < layout.layers(); l++) {
                bk[l] = SparseContextAttentionTest.gaussian(r, b.keptLength() * row, 2);
                bv[l] = SparseContextAttentionTest.gaussian(r, b.keptLength() * row, 1);
            }
            store.writeBlock(b.index(), b.start(), new BlockKv(b.keptLength(), bk, bv));
        }
    }

    /** The binding of a test document of {@code plan} (token ids 0): what its block files carry. */
    static String binding(KvLayout layout, StarPlan plan) {
        return io.starspark.kv.Manifest.of("doc-test", "model-test", layout, plan, new int[plan.contextLength()], "test")
                .binding();
    }
}
