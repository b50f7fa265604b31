package io.starspark.driver.eval;

import io.starspark.kernels.KernelBackends;
import io.starspark.kernels.Kernels;
import io.starspark.kv.HadoopKvStore;
import io.starspark.kv.KvLayout;
import io.starspark.kv.KvStore;
import io.starspark.kv.PageKv;
import io.starspark.model.ExternalAttention;
import io.starspark.model.Generator;
import io.starspark.model.LlamaConfig;
import io.starspark.model.LlamaModel;
import io.starspark.model.Sampler;
import io.starspark.workers.SparseContextAttention;
import io.starspark.workers.conf.StarSettings;
import java.net.URI;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;

/**
 * Attention-mass recall of sparse decoding: for a query token, layer and query head, the fraction of the exact
 * softmax mass over all context keys that the pages sparse decoding selects hold (1 when every page is
 * selected). The prompt runs as one batch over the document's stored K/V with the sparse attention itself (each
 * token picks its own pages, as in decoding), and at every layer the sampled tokens' queries are also scored
 * against every context key.
 */
final class MassRecall {
    private MassRecall() {
    }

    /**
     * @param settings      the sparse mode's settings (page budget, page size, K/V dtype, kernels)
     * @param kvRoot        the document's committed K/V ({@code stats.kv_root} of an answer on it)
     * @param prompt        [m] question ++ teacher tokens, at positions after the context
     * @param maxSamples    query tokens measured at most (chosen with {@code seed} when the prompt is longer)
     * @return [layers][heads] recall averaged over the sampled tokens
     */
    static double[][] measure(LlamaModel model, StarSettings settings, String kvRoot, Configuration hadoop,
                              int contextTokens, int[] prompt, int maxSamples, long seed) {
        LlamaConfig c = model.config();
        Kernels kernels = KernelBackends.select(settings.kernels());
        KvLayout layout = new KvLayout(c.layers(), c.kvHeads(), c.headDim(), settings.pageSize(), settings.kvDtype());
        boolean[] sampled = sample(prompt.length, maxSamples, seed);
        double[][] sum = new double[c.layers()][c.heads()];
        int[] count = new int[c.layers()];
        try (KvStore store = HadoopKvStore.openCommitted(URI.create(kvRoot), hadoop, layout,
                HadoopKvStore.DEFAULT_CACHE_BYTES)) {
            SparseContextAttention sparse = new SparseContextAttention(store, kernels, c, store.readSummaries(),
                    settings.sparse());
            ExternalAttention probe = (layer, q, tokens) -> {
                PageKv all = store.readAll(layer);
                for (int t = 0; t < tokens; t++) {
                    if (sampled[t]) {
                        float[] qt = Arrays.copyOfRange(q, t * c.heads() * c.headDim(), (t + 1) * c.heads() * c.headDim());
                        double[] r = recall(c, all, qt, sparse.select(layer, qt)); // [heads]
                        for (int h = 0; h < c.heads(); h++) {
                            sum[layer][h] += r[h];
                        }
                        count[layer]++;
                    }
                }
                return sparse.attend(layer, q, tokens);
            };
            new Generator(model, kernels).generate(prompt, contextTokens, probe, 0, Sampler.greedy(),
                    model.tokenizer().eos());
        }
        for (int l = 0; l < c.layers(); l++) {
            for (int h = 0; h < c.heads(); h++) {
                sum[l][h] /= count[l];
            }
        }
        return sum;
    }

    /**
     * @param qt       [heads][headDim] one token's queries
     * @param selected [kvHeads][pages] the pages each KV head attends to
     * @return [heads] selected mass / total mass of softmax(q·k / sqrt(headDim)) over all context keys
     */
    static double[] recall(LlamaConfig c, PageKv all, float[] qt, int[][] selected) {
        int hd = c.headDim();
        int kvHeads = c.kvHeads();
        int gs = c.heads() / kvHeads;
        double scale = 1 / Math.sqrt(hd);
        int rows = all.tokens();
        boolean[][] inSelected = new boolean[kvHeads][rows]; // [kvHeads][context rows]
        for (int g = 0; g < kvHeads; g++) {
            int row = 0;
            for (int i = 0; i < all.pages().length; i++) {
                boolean chosen = Arrays.binarySearch(selected[g], all.pages()[i]) >= 0;
                Arrays.fill(inSelected[g], row, row + all.pageTokens()[i], chosen);
                row += all.pageTokens()[i];
            }
        }
        double[] out = new double[c.heads()];
        double[] score = new double[rows];
        for (int h = 0; h < c.heads(); h++) {
            int g = h / gs;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < rows; j++) {
                double s = 0;
                for (int d = 0; d < hd; d++) {
                    s += (double) qt[h * hd + d] * all.k()[(j * kvHeads + g) * hd + d];
                }
                score[j] = s * scale;
                max = Math.max(max, score[j]);
            }
            double total = 0;
            double chosen = 0;
            for (int j = 0; j < rows; j++) {
                double e = Math.exp(score[j] - max);
                total += e;
                if (inSelected[g][j]) {
                    chosen += e;
                }
            }
            out[h] = chosen / total;
        }
        return out;
    }

    /** [n] which prompt tokens are measured: all when n ≤ max, else {@code max} of them chosen with the seed. */
    private static boolean[] sample(int n, int max, long seed) {
        boolean[] s = new boolean[n];
        if (n <= max) {
            Arrays.fill(s, true);
            return s;
        }
        SplittableRandom r = new SplittableRandom(seed);
        int picked = 0;
        while (picked < max) {
            int i = r.nextInt(n);
            if (!s[i]) {
                s[i] = true;
                picked++;
            }
        }
        return s;
    }
}
