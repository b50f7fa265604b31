package io.starspark.kernels.aparapi;

import com.aparapi.device.OpenCLDevice;

/**
 * Work-group sizes from the device's limits (max work-group size, max work-items per dimension, local
 * memory), chosen once per backend.
 *
 * @param gemmSide   side of the GEMM's square work-group (a tile of 4·side rows × 4·side tokens)
 * @param rowDot     1D work-group size for element-wise and row kernels
 * @param attnMax    most queries in an attention work-group
 * @param columnRows GEMM column mode (CPU devices), blocks of {@link BlockKernel#COLUMN_ROWS} rows per work-group,
 *                   or 0 for the tiled mode (GPUs)
 * @param columnTokenBlocks GEMM column mode, blocks of {@link BlockKernel#COLUMN_TOKENS} tokens per work-group
 */
record WorkGroups(int gemmSide, int rowDot, int attnMax, int columnRows, int columnTokenBlocks) {
    private static final int LOCAL_BYTES_GEMM = 2 * BlockKernel.TILE_K * 4 * BlockKernel.MAX_SIDE * 4;
    private static final int LOCAL_BYTES_ATTENTION = (2 * BlockKernel.TILE_KEYS * BlockKernel.MAX_HEAD_DIM
            + BlockKernel.OUT_CAPACITY) * 4;

    /** Sizes for {@code d}; GEMM in column mode on CPU devices unless {@code forceTiled}. */
    static WorkGroups of(OpenCLDevice d, boolean forceTiled) {
        int maxGroup = d.getMaxWorkGroupSize();
        int[] maxItems = d.getMaxWorkItemSize();
        long local = d.getLocalMemSize();
        if (local < Math.max(LOCAL_BYTES_GEMM, LOCAL_BYTES_ATTENTION)) {
            throw new IllegalStateException("OpenCL device " + OpenClDevices.describe(d) + " has " + local
                    + " bytes of local memory; the aparapi kernels need " + Math.max(LOCAL_BYTES_GEMM, LOCAL_BYTES_ATTENTION)
                    + " (choose spark.starspark.kernels=java)");
        }
        int side = BlockKernel.MAX_SIDE;
        while (side > 1 && (side * side > maxGroup || side > maxItems[0] || side > maxItems[1])) {
            side /= 2;
        }
        int row = Math.min(256, Math.min(maxGroup, maxItems[0]));
        int attn = Math.min(64, Math.min(maxGroup, maxItems[0]));
        boolean columns = !forceTiled && d.getType() == com.aparapi.device.Device.TYPE.CPU;
        int colRows = 1;
        int colBlocks = Integer.highestOneBit(Math.max(1, Math.min(16, Math.min(maxGroup, maxItems[1]))));
        return new WorkGroups(side, Integer.highestOneBit(row), Integer.highestOneBit(attn), columns ? colRows : 0,
                colBlocks);
    }

    boolean columns() {
        return columnRows > 0;
    }

    /** Queries per attention work-group: as many as the device, the local output buffer and the tokens allow. */
    int attentionGroup(int headDim, int tokens) {
        int fit = Integer.highestOneBit(Math.max(1, BlockKernel.OUT_CAPACITY / headDim));
        int enough = Integer.highestOneBit(Math.max(1, tokens - 1)) * 2;
        return Math.max(1, Math.min(Math.min(attnMax, fit), tokens == 1 ? 1 : enough));
    }

    static int roundUp(int n, int multiple) {
        return (n + multiple - 1) / multiple * multiple;
    }

    @Override
    public String toString() {
        String gemm = columns() ? "gemm columns " + columnRows + "x" + columnTokenBlocks + " (" + columnRows
                * BlockKernel.COLUMN_ROWS + " rows x " + columnTokenBlocks * BlockKernel.COLUMN_TOKENS + " tokens, weights transposed)"
                : "gemm " + gemmSide + "x" + gemmSide + " (tile " + 4 * gemmSide + "x" + 4 * gemmSide + "x" + BlockKernel.TILE_K + ")";
        return gemm + ", rows " + rowDot + ", attention up to " + attnMax + " queries x " + BlockKernel.TILE_KEYS + " keys";
    }
}
