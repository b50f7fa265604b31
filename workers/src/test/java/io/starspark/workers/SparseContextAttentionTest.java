package io.starspark.workers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.ReferenceKernels;
import io.starspark.kv.BlockKv;
import io.starspark.kv.InMemoryKvStore;
import io.starspark.kv.Manifest;
import io.starspark.kernels.KvDtype;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.kv.PageSummaries;
import io.starspark.model.LlamaConfig;
import io.starspark.model.Partial;
import io.starspark.sharding.Block;
import io.starspark.sharding.StarPlan;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Sparse phase 2 on random K/V: each query token gets its own top-k pages (per layer and KV head), so a
 * batch of question tokens gives the same partials as the tokens one at a time; and every partial equals
 * exact attention over the pages a brute-force selector picks for that token.
 */
class SparseContextAttentionTest {
    // 2 layers, 4 query heads over 2 KV heads, headDim 8
    static final LlamaConfig C = LlamaConfig.llama(32, 2, 4, 2, 8, 64, 16, 10000, 8, 1e-5f, 4096, false);
    final Kernels kernels = new ReferenceKernels();

    static float[] gaussian(SplittableRandom r, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextGaussian() * scale);
        }
        return a;
    }

    @Test
    void batchOfQuestionTokensEqualsOneTokenAtATimeAndTheBruteForceSelection() {
        long seed = Long.getLong("starspark.test.seed", 20261204L);
        System.out.println("SparseContextAttentionTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        StarPlan plan = StarPlan.of(203, 32, 16, 8); // 26 pages, the last of 3 tokens
        KvLayout layout = new KvLayout(C.layers(), C.kvHeads(), C.headDim(), plan.pageSize(), KvDtype.F32);
        int row = layout.rowFloats();
        float[][] k = new float[C.layers()][]; // [layers][tokens][kvHeads][headDim]
        float[][] v = new float[C.layers()][];
        for (int l = 0; l < C.layers(); l++) {
            k[l] = gaussian(r, plan.contextLength() * row, 2);
            v[l] = gaussian(r, plan.contextLength() * row, 1);
        }
        int[] contextIds = new int[plan.contextLength()]; // [n] any ids: the manifest only binds the blocks
        Manifest manifest = Manifest.of("doc-1", "9f3a", layout, plan, contextIds, "test");
        try (KvStore store = new InMemoryKvStore(layout, manifest.binding(), 0)) {
            for (Block b : plan.blocks()) {
                float[][] bk = new float[C.layers()][];
                float[][] bv = new float[C.layers()][];
                for (int l = 0; l < C.layers(); l++) {
                    bk[l] = Arrays.copyOfRange(k[l], b.start() * row, b.end() * row);
                    bv[l] = Arrays.copyOfRange(v[l], b.start() * row, b.end() * row);
                }
                store.writeBlock(b.index(), b.start(), new BlockKv(b.keptLength(), bk, bv));
            }
            for (SparseSettings s : new SparseSettings[] {new SparseSettings(3, 1, 2), new SparseSettings(1, 0, 0),
                new SparseSettings(5, 2, 0)}) {
                SparseContextAttention sparse = new SparseContextAttention(store, kernels, C, store.readSummaries(), s);
                int tokens = 6;
                float[] q = gaussian(r, tokens * C.qDim(), 1); // [tokens][heads][headDim]
                for (int l = 0; l < C.layers(); l++) {
                    Partial batch = sparse.attend(l, q, tokens);
                    for (int t = 0; t < tokens; t++) {
                        float[] qt = Arrays.copyOfRange(q, t * C.qDim(), (t + 1) * C.qDim());
                        Partial one = sparse.attend(l, qt, 1);
                        Partial brute = bruteForce(store, l, qt, s, plan.pageCount());
                        String at = s + ", layer " + l + ", token " + t + ", seed " + seed;
                        assertArrayEquals(one.out(), slice(batch.out(), t, C.qDim()), 1e-6f, "batch vs one: " + at);
                        assertArrayEquals(one.lse(), slice(batch.lse(), t, C.heads()), 1e-6f, "batch vs one: " + at);
                        assertArrayEquals(brute.out(), one.out(), 1e-5f, "vs brute force: " + at);
                        assertArrayEquals(brute.lse(), one.lse(), 1e-5f, "vs brute force: " + at);
                    }
                }
            }
        }
    }

    @Test
    void countsThePagesItReadsAndTheTriplesItAttends() {
        SplittableRandom r = new SplittableRandom(Long.getLong("starspark.test.seed", 20261204L));
        StarPlan plan = StarPlan.of(203, 32, 16, 8); // 26 pages
        KvLayout layout = new KvLayout(C.layers(), C.kvHeads(), C.headDim(), plan.pageSize(), KvDtype.F32);
        try (KvStore store = new InMemoryKvStore(layout, ExactContextAttentionTest.binding(layout, plan), 0)) {
            ExactContextAttentionTest.write(store, plan, layout, r);
            SparseContextAttention sparse = new SparseContextAttention(store, kernels, C, store.readSummaries(),
                    new SparseSettings(3, 1, 2));
            assertEquals(0, sparse.meanPagesPerCall());
            assertEquals(0, sparse.pageVisits());
            int tokens = 2;
            float[] q = gaussian(r, tokens * C.qDim(), 1); // [tokens][heads][headDim]
            int distinct = 0;
            for (int l = 0; l < C.layers(); l++) {
                java.util.TreeSet<Integer> union = new java.util.TreeSet<>();
                for (int t = 0; t < tokens; t++) {
                    for (int[] group : sparse.select(l, slice(q, t, C.qDim()))) {
                        assertEquals(6, group.length, "top-3 + sink 1 + local 2 of 26 pages");
                        Arrays.stream(group).forEach(union::add);
                    }
                }
                distinct += union.size();
                sparse.attend(l, q, tokens);
            }
            assertEquals((long) C.layers() * tokens * C.kvHeads() * 6, sparse.pageVisits());
            assertEquals(distinct / (double) C.layers(), sparse.meanPagesPerCall(), 0);
            assertTrue(distinct > C.layers() * 6, "the tokens and KV heads pick different pages: " + distinct);
            assertEquals("need page summaries for 2 layers (got 1)", assertThrows(IllegalArgumentException.class,
                    () -> new SparseContextAttention(store, kernels, C, new PageSummaries[1], new SparseSettings(1, 0, 0)))
                    .getMessage());
        }
    }

    private static float[] slice(float[] a, int t, int width) {
        return Arrays.copyOfRange(a, t * width, (t + 1) * width);
    }

    /** One token: per KV head, pages by the max Quest bound of its query heads; sink + local + top-k; exact attention. */
    private Partial bruteForce(KvStore store, int layer, float[] q, SparseSettings s, int pages) {
        int gs = C.heads() / C.kvHeads();
        int hd = C.headDim();
        float[] out = new float[C.qDim()];
        float[] lse = new float[C.heads()];
        for (int g = 0; g < C.kvHeads(); g++) {
            double[] score = new double[pages];
            Arrays.fill(score, Double.NEGATIVE_INFINITY);
            for (int p = 0; p < pages; p++) {
                for (int h = g * gs; h < (g + 1) * gs; h++) {
                    score[p] = Math.max(score[p], store.readSummaries()[layer].upperBound(p, g, q, h * hd));
                }
            }
            boolean[] keep = new boolean[pages];
            for (int p = 0; p < pages; p++) {
                keep[p] = s.budget() >= pages || p < s.sinkPages() || p >= pages - s.localPages();
            }
            for (int picked = 0; picked < s.topK() && s.budget() < pages; picked++) {
                int best = -1;
                for (int p = 0; p < pages; p++) {
                    if (!keep[p] && (best < 0 || score[p] > score[best])) {
                        best = p;
                    }
                }
                keep[best] = true;
            }
            int[] selected = java.util.stream.IntStream.range(0, pages).filter(p -> keep[p]).toArray();
            PageKv kv = store.readPages(layer, selected);
            int rows = kv.tokens();
            float[] kg = new float[rows * hd]; // [rows][headDim] of KV head g
            float[] vg = new float[rows * hd];
            for (int t = 0; t < rows; t++) {
                System.arraycopy(kv.k(), (t * C.kvHeads() + g) * hd, kg, t * hd, hd);
                System.arraycopy(kv.v(), (t * C.kvHeads() + g) * hd, vg, t * hd, hd);
            }
            float[] og = new float[gs * hd];
            float[] lg = new float[gs];
            kernels.attention(AttentionShape.full(1, rows, gs, 1, hd), Arrays.copyOfRange(q, g * gs * hd, (g + 1) * gs * hd),
                    kg, vg, og, lg);
            System.arraycopy(og, 0, out, g * gs * hd, gs * hd);
            System.arraycopy(lg, 0, lse, g * gs, gs);
        }
        return new Partial(out, lse);
    }
}
