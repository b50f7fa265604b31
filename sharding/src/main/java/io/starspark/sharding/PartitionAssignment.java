package io.starspark.sharding;

import java.util.ArrayList;
import java.util.List;

/**
 * Assigns blocks to Spark partitions as <b>contiguous groups balanced by run cost</b>.
 *
 * <p>Cost of a block = tokens it runs = {@code keptLength + anchorLength} (block 0 has no anchor, the
 * last block may be short). Contiguous groups (rather than round robin) keep each task's pages one
 * range and its writes sequential; balance comes from cutting the cost prefix sum at the block boundary
 * nearest to each multiple of {@code total / partitions}, so every group costs at most {@code total / partitions + max block cost}.
 * Deterministic; every block appears exactly once, in ascending order; no partition is empty (when
 * there are fewer blocks than partitions, one partition per block is returned).
 */
public final class PartitionAssignment {
    private PartitionAssignment() {
    }

    public static List<List<Integer>> assign(List<Block> blocks, int partitions) {
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be at least 1 (got " + partitions + ")");
        }
        int k = blocks.size();
        int groups = Math.min(partitions, k);
        long[] prefix = new long[k + 1]; // [k+1] prefix[j] = cost of blocks 0..j-1
        for (int i = 0; i < k; i++) {
            prefix[i + 1] = prefix[i] + cost(blocks.get(i));
        }
        int[] bounds = cuts(prefix, groups);
        List<List<Integer>> out = new ArrayList<>(groups);
        for (int g = 0; g < groups; g++) {
            List<Integer> group = new ArrayList<>();
            for (int i = bounds[g]; i < bounds[g + 1]; i++) {
                group.add(blocks.get(i).index());
            }
            out.add(List.copyOf(group));
        }
        return List.copyOf(out);
    }

    public static long cost(Block block) {
        return block.runLength();
    }

    /** Group boundaries {@code [groups+1]}: the j with prefix[j] nearest g*total/groups, clamped to keep groups non-empty. */
    private static int[] cuts(long[] prefix, int groups) {
        int k = prefix.length - 1;
        long total = prefix[k];
        int[] bounds = new int[groups + 1];
        bounds[groups] = k;
        int j = 0;
        for (int g = 1; g < groups; g++) {
            long target = g * total; // scaled by groups
            while (j < k && prefix[j] * groups < target) {
                j++;
            }
            boolean previousIsNearer = j > 0 && target - prefix[j - 1] * groups < prefix[j] * groups - target;
            int cut = previousIsNearer ? j - 1 : j;
            bounds[g] = Math.min(Math.max(cut, bounds[g - 1] + 1), k - (groups - g));
        }
        return bounds;
    }
}
