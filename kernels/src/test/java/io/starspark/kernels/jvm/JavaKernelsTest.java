package io.starspark.kernels.jvm;

import io.starspark.kernels.Kernels;
import io.starspark.kernels.KernelsContract;
import java.util.Arrays;

/** The fast Java backend against the reference, on two threads (as on CI) so splits are exercised. */
class JavaKernelsTest extends KernelsContract {
    @Override
    protected Kernels create() {
        return new JavaKernels(2);
    }

    /**
     * Plus shapes that reach every attention path: blocks of at most 4 rows (decode, head dim in
     * lanes) with causal masking inside a key tile, and blocks of over 64 rows (several 4-vector
     * query tiles plus a tail), with and without GQA; at head dims 8, 12 and 16 (P·V with queries in
     * lanes) long causal key ranges over many key tiles, blocks of one full query tile plus a tail.
     */
    @Override
    protected int[][] attentionShapes() {
        int[][] base = super.attentionShapes();
        int[][] extra = {{3, 150, 4, 4, 64}, {1, 100, 8, 2, 64}, {2, 130, 4, 2, 32}, {300, 300, 2, 1, 64},
            {90, 200, 4, 4, 16}, {150, 700, 8, 4, 8}, {130, 600, 4, 2, 16}, {70, 300, 3, 1, 12}};
        int[][] all = Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return all;
    }
}
