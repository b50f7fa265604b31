package io.starspark.driver.eval;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarKeys;
import io.starspark.workers.conf.StarSettings;
import java.util.Locale;
import java.util.Map;

/**
 * One attention setting eval compares: full, star, or sparse at a page budget given as a percentage of the
 * document's context pages.
 *
 * @param budgetPercent sparse only: pages read per (layer, KV head), sink and local pages included, as % of
 *                      the document's pages (rounded up, at least sink + local + 1); NaN for full and star
 */
record Mode(AttentionMode attention, double budgetPercent) {

    static final Mode FULL = new Mode(AttentionMode.FULL, Double.NaN);
    static final Mode STAR = new Mode(AttentionMode.STAR, Double.NaN);

    Mode {
        if (attention == AttentionMode.SPARSE && !(budgetPercent > 0 && budgetPercent <= 100)) {
            throw new UserError("--budgets: a sparse budget is a percentage of pages in (0, 100] (got "
                    + budgetPercent + ")");
        }
    }

    static Mode sparse(double percent) {
        return new Mode(AttentionMode.SPARSE, percent);
    }

    /** {@code full}, {@code star}, {@code sparse@5%}. */
    String label() {
        return attention == AttentionMode.SPARSE
                ? "sparse@" + Report.number(budgetPercent) + "%"
                : attention.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The settings of this mode for a document of {@code contextTokens}: the base settings with this attention,
     * the block and anchor of {@code blocks} and, for sparse, the top-k that makes the page budget.
     */
    StarSettings settings(StarSettings base, Blocks blocks, int contextTokens) {
        Map<String, String> conf = base.toConf();
        conf.put(StarKeys.ATTENTION.key(), attention.name().toLowerCase(Locale.ROOT));
        int block = blocks.blockSize(contextTokens, base.pageSize());
        conf.put(StarKeys.BLOCK_SIZE.key(), Integer.toString(block));
        conf.put(StarKeys.ANCHOR_SIZE.key(), Integer.toString(blocks.anchorSize(block)));
        if (attention == AttentionMode.SPARSE) {
            conf.put(StarKeys.SPARSE_TOP_K.key(), Integer.toString(topK(base, pages(contextTokens, base.pageSize()))));
        }
        return StarSettings.from(conf);
    }

    /** Sparse: top-k pages so that top-k + sink + local = ceil(budget% × pages), at least 1 page of top-k. */
    int topK(StarSettings base, int pages) {
        int total = (int) Math.ceil(budgetPercent / 100 * pages - 1e-9);
        return Math.max(1, total - base.sparseSinkPages() - base.sparseLocalPages());
    }

    /** Sparse: the fraction of the document's pages read per (layer, KV head) at these settings. */
    double effectiveFraction(StarSettings modeSettings, int contextTokens) {
        int pages = pages(contextTokens, modeSettings.pageSize());
        return Math.min(pages, modeSettings.sparse().budget()) / (double) pages;
    }

    static int pages(int tokens, int pageSize) {
        return (tokens + pageSize - 1) / pageSize;
    }

    /**
     * Star blocks: a fixed {@code --block-size}/{@code --anchor-size}, or a fraction of each document's context
     * (rounded to whole pages; anchor = block).
     *
     * @param fixedBlock  0 when the block follows {@code fraction}
     * @param fixedAnchor 0 when the anchor equals the block
     */
    record Blocks(double fraction, int fixedBlock, int fixedAnchor) {
        Blocks {
            if (!(fraction > 0 && fraction <= 1)) {
                throw new UserError("--block-fraction must be in (0, 1] (got " + fraction + ")");
            }
        }

        int blockSize(int contextTokens, int pageSize) {
            if (fixedBlock > 0) {
                return fixedBlock;
            }
            long pages = Math.round(contextTokens * fraction / pageSize);
            return (int) Math.max(1, pages) * pageSize;
        }

        int anchorSize(int block) {
            return fixedAnchor > 0 ? fixedAnchor : block;
        }

        String describe() {
            if (fixedBlock > 0) {
                return "block " + fixedBlock + ", anchor " + (fixedAnchor > 0 ? fixedAnchor : fixedBlock);
            }
            return "block = anchor = " + Report.number(fraction) + " × context (whole pages)";
        }
    }
}
