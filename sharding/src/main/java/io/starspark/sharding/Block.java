package io.starspark.sharding;

import java.io.Serializable;

/**
 * One block of the context: tokens {@code [start, end)}, processed as {@code anchor ++ block}.
 *
 * <p>{@code anchorLength} is the number of anchor tokens (context indices {@code 0..anchorLength-1})
 * prepended to the run: 0 for block 0, the plan's effective anchor size for every later block.
 * Only the block's own rows {@code [keptOffset(), keptOffset() + keptLength())} of the run are kept.
 */
public record Block(int index, int start, int end, int anchorLength) implements Serializable {

    public Block {
        if (index < 0 || start < 0 || end <= start) {
            throw new IllegalArgumentException(
                    "block needs index >= 0 and 0 <= start < end (got index " + index + ", [" + start + ", " + end + "))");
        }
        if (anchorLength < 0 || anchorLength > start) {
            throw new IllegalArgumentException(
                    "anchorLength must be between 0 and start (got " + anchorLength + ", start " + start + ")");
        }
    }

    /** Context indices run by the task: block 0 → {@code [0,end)}; later blocks → {@code [0,A) ++ [start,end)}. */
    public int[] runTokenIndices() {
        int[] run = new int[runLength()]; // [anchorLength + keptLength]
        for (int i = 0; i < anchorLength; i++) {
            run[i] = i;
        }
        for (int i = 0; i < keptLength(); i++) {
            run[anchorLength + i] = start + i;
        }
        return run;
    }

    /** Position ids of the run: the true global positions (anchor at {@code 0..A-1}), equal to {@link #runTokenIndices()}. */
    public int[] runPositions() {
        return runTokenIndices();
    }

    /** Row of the first kept (block) token inside the run. */
    public int keptOffset() {
        return anchorLength;
    }

    /** Number of kept tokens, {@code end - start}. */
    public int keptLength() {
        return end - start;
    }

    /** Tokens the task runs through the model: anchor + block. */
    public int runLength() {
        return anchorLength + keptLength();
    }
}
