package io.starspark.sharding;

import io.starspark.errors.UserError;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Star Attention plan of one document: blocks, anchor, pages and their assignment to Spark partitions.
 *
 * <p>Blocks cut the context (BOS included) into {@code blockSize} tokens, the last may be short. Block 0
 * runs alone; block {@code i > 0} runs as {@code anchor ++ block_i}, the anchor being context tokens
 * {@code 0..A-1} at positions {@code 0..A-1} with {@code A = min(anchorSize, contextLength)}. Pages of
 * {@code pageSize} tokens tile the context; {@code pageSize} divides {@code blockSize} so a page never
 * straddles two blocks. All values are plain data; every method is a pure function.
 */
public record StarPlan(int contextLength, int blockSize, int anchorSize, int pageSize) implements Serializable {

    public StarPlan {
        if (contextLength < 1) {
            throw new UserError("contextLength must be at least 1 (got " + contextLength + ")");
        }
        if (pageSize < 1) {
            throw new UserError("pageSize must be positive (got " + pageSize + ")");
        }
        if (blockSize < 1 || blockSize % pageSize != 0) {
            throw new UserError("blockSize must be a positive multiple of pageSize (got "
                    + blockSize + ", pageSize " + pageSize + ")");
        }
        if (anchorSize < 1 || anchorSize > blockSize) {
            throw new UserError("anchorSize must be between 1 and blockSize (got "
                    + anchorSize + ", blockSize " + blockSize + ")");
        }
    }

    public static StarPlan of(int contextLength, int blockSize, int anchorSize, int pageSize) {
        return new StarPlan(contextLength, blockSize, anchorSize, pageSize);
    }

    /** Anchor tokens actually prepended to blocks {@code i > 0}: {@code min(anchorSize, contextLength)}. */
    public int effectiveAnchor() {
        return Math.min(anchorSize, contextLength);
    }

    public int blockCount() {
        return ceilDiv(contextLength, blockSize);
    }

    public Block block(int index) {
        if (index < 0 || index >= blockCount()) {
            throw new IndexOutOfBoundsException("block " + index + " outside 0.." + (blockCount() - 1));
        }
        int start = index * blockSize;
        int end = Math.min(start + blockSize, contextLength);
        return new Block(index, start, end, index == 0 ? 0 : effectiveAnchor());
    }

    public List<Block> blocks() {
        List<Block> blocks = new ArrayList<>(blockCount());
        for (int i = 0; i < blockCount(); i++) {
            blocks.add(block(i));
        }
        return List.copyOf(blocks);
    }

    public int pageCount() {
        return ceilDiv(contextLength, pageSize);
    }

    public int pagesPerBlock() {
        return blockSize / pageSize;
    }

    /** Page {@code p} covers {@code [p*pageSize, min((p+1)*pageSize, contextLength))}. */
    public Page pageRange(int page) {
        if (page < 0 || page >= pageCount()) {
            throw new IndexOutOfBoundsException("page " + page + " outside 0.." + (pageCount() - 1));
        }
        int start = page * pageSize;
        return new Page(page, start, Math.min(start + pageSize, contextLength));
    }

    /** Global indices of the pages inside {@code block}, ascending. */
    public int[] pagesOf(Block block) {
        int first = block.start() / pageSize;
        int[] pages = new int[ceilDiv(block.keptLength(), pageSize)];
        for (int i = 0; i < pages.length; i++) {
            pages[i] = first + i;
        }
        return pages;
    }

    /** Block holding context token {@code token}. */
    public int blockOfToken(int token) {
        if (token < 0 || token >= contextLength) {
            throw new IndexOutOfBoundsException("token " + token + " outside context 0.." + (contextLength - 1));
        }
        return token / blockSize;
    }

    /** Positions of {@code count} tokens following the context (question, generated): {@code n, n+1, ...}. */
    public int[] questionPositions(int count) {
        if (count < 0 || (long) contextLength + count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("question token count must be between 0 and "
                    + (Integer.MAX_VALUE - contextLength) + " (got " + count + ")");
        }
        int[] positions = new int[count];
        for (int i = 0; i < count; i++) {
            positions[i] = contextLength + i;
        }
        return positions;
    }

    /** Blocks per partition, see {@link PartitionAssignment#assign}. */
    public List<List<Integer>> assign(int partitions) {
        return PartitionAssignment.assign(blocks(), partitions);
    }

    static int ceilDiv(int a, int b) {
        return (int) (((long) a + b - 1) / b);
    }
}
