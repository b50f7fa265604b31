package io.starspark.driver.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.starspark.errors.UserError;
import io.starspark.workers.conf.AttentionMode;
import io.starspark.workers.conf.StarSettings;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Eval's modes and block rules: budgets as % of pages, blocks as a fraction of each document, checked where given. */
class ModeTest {
    static final StarSettings BASE = StarSettings.from(Map.of("spark.starspark.pageSize", "16",
            "spark.starspark.blockSize", "64", "spark.starspark.sparse.sinkPages", "1",
            "spark.starspark.sparse.localPages", "2"));

    @Test
    void budgetsArePercentagesOfPages() {
        assertEquals("--budgets: a sparse budget is a percentage of pages in (0, 100] (got 0.0)",
                assertThrows(UserError.class, () -> Mode.sparse(0)).getMessage());
        assertEquals("--budgets: a sparse budget is a percentage of pages in (0, 100] (got 100.5)",
                assertThrows(UserError.class, () -> Mode.sparse(100.5)).getMessage());
        assertEquals("--budgets: a sparse budget is a percentage of pages in (0, 100] (got NaN)",
                assertThrows(UserError.class, () -> Mode.sparse(Double.NaN)).getMessage());
        assertEquals("sparse@100%", Mode.sparse(100).label());
        assertEquals("sparse@2.5%", Mode.sparse(2.5).label());
        assertEquals("full", Mode.FULL.label());
        assertEquals("star", Mode.STAR.label());
        // 100 pages: 10% = 10 pages = top-k 7 + sink 1 + local 2; 3% leaves top-k its minimum of 1
        assertEquals(7, Mode.sparse(10).topK(BASE, 100));
        assertEquals(8, Mode.sparse(10.5).topK(BASE, 100), "ceil(10.5) = 11 pages");
        assertEquals(1, Mode.sparse(3).topK(BASE, 100));
        assertEquals(1, Mode.sparse(4).topK(BASE, 100));
        assertEquals(2, Mode.sparse(5).topK(BASE, 100));
        assertEquals(97, Mode.sparse(100).topK(BASE, 100));
    }

    @Test
    void aModesSettingsForOneDocument() {
        Mode.Blocks quarter = new Mode.Blocks(0.25, 0, 0);
        StarSettings sparse = Mode.sparse(10).settings(BASE, quarter, 1600); // 100 pages, block 400
        assertEquals(AttentionMode.SPARSE, sparse.attention());
        assertEquals(400, sparse.blockSize());
        assertEquals(400, sparse.anchorSize());
        assertEquals(7, sparse.sparseTopK());
        assertEquals(0.10, Mode.sparse(10).effectiveFraction(sparse, 1600), 1e-12);
        StarSettings star = Mode.STAR.settings(BASE, new Mode.Blocks(0.25, 128, 32), 1600);
        assertEquals(AttentionMode.STAR, star.attention());
        assertEquals(128, star.blockSize());
        assertEquals(32, star.anchorSize());
        assertEquals(BASE.sparseTopK(), star.sparseTopK(), "only sparse sets top-k");
        assertEquals(AttentionMode.FULL, Mode.FULL.settings(BASE, quarter, 1600).attention());
        StarSettings small = Mode.sparse(50).settings(BASE, quarter, 40); // 3 pages: the budget covers them all
        assertEquals(1.0, Mode.sparse(50).effectiveFraction(small, 40), 0);
        assertEquals(3, Mode.pages(40, 16));
        assertEquals(2, Mode.pages(32, 16));
        assertEquals(1, Mode.pages(1, 16));
    }

    @Test
    void blocksFollowTheFractionInWholePages() {
        Mode.Blocks quarter = new Mode.Blocks(0.25, 0, 0);
        assertEquals(64, quarter.blockSize(256, 16));
        assertEquals(16, quarter.blockSize(20, 16), "at least one page");
        assertEquals(80, quarter.blockSize(300, 16), "75 tokens round to 5 pages");
        assertEquals(64, quarter.blockSize(248, 16), "62 tokens round to 4 pages");
        assertEquals(64, quarter.anchorSize(64));
        assertEquals("block = anchor = 0.25 × context (whole pages)", quarter.describe());
        Mode.Blocks fixed = new Mode.Blocks(0.25, 128, 0);
        assertEquals(128, fixed.blockSize(100000, 16));
        assertEquals(128, fixed.anchorSize(128));
        assertEquals("block 128, anchor 128", fixed.describe());
        assertEquals("block 128, anchor 32", new Mode.Blocks(1, 128, 32).describe());
        assertEquals(32, new Mode.Blocks(1, 128, 32).anchorSize(128));
        for (double bad : new double[] {0, -0.5, 1.01, Double.NaN}) {
            assertEquals("--block-fraction must be in (0, 1] (got " + bad + ")",
                    assertThrows(UserError.class, () -> new Mode.Blocks(bad, 0, 0)).getMessage());
        }
    }
}
