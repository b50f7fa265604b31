package io.starspark.workers;

import java.io.Serializable;

/**
 * One phase-1 block as shipped to an executor: the tokens of {@code anchor ++ block} (block 0 runs
 * alone), their true global positions, and where the block's own rows start in that run.
 *
 * @param tokens     [runLength] token ids of anchor ++ block
 * @param positions  [runLength] position ids (anchor at 0..A-1, block at its global positions)
 * @param keptOffset index in the run of the first row whose K/V are kept
 * @param firstToken global index of the block's first token
 */
public record BlockSpec(int blockIndex, int firstToken, int[] tokens, int[] positions, int keptOffset)
        implements Serializable {
    public BlockSpec {
        if (tokens.length != positions.length) {
            throw new IllegalArgumentException("block " + blockIndex + ": " + tokens.length + " tokens but "
                    + positions.length + " positions");
        }
        if (keptOffset < 0 || keptOffset >= tokens.length) {
            throw new IllegalArgumentException("block " + blockIndex + ": keptOffset " + keptOffset
                    + " outside run of " + tokens.length);
        }
    }

    /** Number of tokens whose K/V this block keeps. */
    public int keptLength() {
        return tokens.length - keptOffset;
    }
}
