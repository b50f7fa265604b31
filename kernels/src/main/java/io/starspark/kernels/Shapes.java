package io.starspark.kernels;

/**
 * Argument checks shared by kernels; messages name the argument and both numbers. Every {@link Kernels}
 * backend calls the per-kernel check ({@link #matmul}, {@link #rmsnorm}, ...) first, so all reject the
 * same bad arguments ({@link KernelsContract}); attention's checks live in {@link AttentionShape}.
 * A failure is a bug in the caller, hence {@link IllegalArgumentException}.
 */
public final class Shapes {
    private Shapes() {
    }

    /** Arguments of {@link Kernels#matmul}. */
    public static void matmul(float[] out, float[] x, Matrix w, int tokens) {
        requirePositive("tokens", tokens);
        requireAtLeast("x", x.length, (long) tokens * w.cols());
        requireAtLeast("out", out.length, (long) tokens * w.rows());
    }

    /** Arguments of {@link Kernels#matmuls}. */
    public static void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens) {
        if (outs.length != ws.length) {
            throw new IllegalArgumentException("matmuls needs one output per matrix (got " + outs.length
                + " outputs, " + ws.length + " matrices)");
        }
        for (int i = 0; i < ws.length; i++) {
            if (ws[i].cols() != ws[0].cols()) {
                throw new IllegalArgumentException("matmuls matrices must have the same cols (got " + ws[0].cols()
                    + " and " + ws[i].cols() + ")");
            }
            matmul(outs[i], x, ws[i], tokens);
        }
    }

    /** Arguments of {@link Kernels#rmsnorm}. */
    public static void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim) {
        requireNonNegative("tokens", tokens);
        requirePositive("dim", dim);
        requireAtLeast("x", x.length, (long) tokens * dim);
        requireAtLeast("out", out.length, (long) tokens * dim);
        requireAtLeast("weight", weight.length, dim);
    }

    /** Arguments of {@link Kernels#rope}. */
    public static void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        requireNonNegative("tokens", tokens);
        requirePositive("heads", heads);
        requirePositive("headDim", headDim);
        rope.requireFits(headDim);
        requireAtLeast("x", x.length, (long) tokens * heads * headDim);
        requireAtLeast("positions", positions.length, tokens);
    }

    /** Arguments of {@link Kernels#swiglu}. */
    public static void swiglu(float[] out, float[] gate, float[] up, int n) {
        requireNonNegative("n", n);
        requireAtLeast("gate", gate.length, n);
        requireAtLeast("up", up.length, n);
        requireAtLeast("out", out.length, n);
    }

    /** Arguments of {@link Kernels#scorePages}. */
    public static void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                                  int tokens, int pages, int heads, int kvHeads, int headDim) {
        requireNonNegative("tokens", tokens);
        requireNonNegative("pages", pages);
        requirePositive("heads", heads);
        requirePositive("kvHeads", kvHeads);
        requirePositive("headDim", headDim);
        if (heads % kvHeads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        }
        requireAtLeast("q", q.length, (long) tokens * heads * headDim);
        requireAtLeast("pageMin", pageMin.length, (long) pages * kvHeads * headDim);
        requireAtLeast("pageMax", pageMax.length, (long) pages * kvHeads * headDim);
        requireAtLeast("scores", scores.length, (long) tokens * pages * heads);
    }

    public static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0 (got " + value + ")");
        }
    }

    public static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive (got " + value + ")");
        }
    }

    public static void requireLength(String name, long actual, long expected) {
        if (actual != expected) {
            throw new IllegalArgumentException(name + " has " + actual + " elements, expected " + expected);
        }
    }

    public static void requireAtLeast(String name, long actual, long needed) {
        if (actual < needed) {
            throw new IllegalArgumentException(name + " has " + actual + " elements, needs at least " + needed);
        }
    }
}
