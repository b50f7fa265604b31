package io.starspark.model;

import io.starspark.kernels.AttentionShape;
import io.starspark.kernels.BlockForward;
import io.starspark.kernels.Kernels;
import io.starspark.kernels.Matrix;
import io.starspark.kernels.Rope;
import java.util.Optional;

/**
 * A backend under test whose every call is also run by a reference backend on copies of the same inputs, and compared
 * at once: the first op that differs fails, by name and call number, instead of a wrong logit at the end of a pass.
 * Its {@link #blockForward()} is the tested backend's (a device-resident prefill runs as it would).
 */
final class CheckedKernels implements Kernels {
    private final Kernels tested;
    private final Kernels reference;
    private final double tol;
    private int calls;

    /** |tested − reference| ≤ tol · (1 + |reference|) for every output value. */
    CheckedKernels(Kernels tested, Kernels reference, double tol) {
        this.tested = tested;
        this.reference = reference;
        this.tol = tol;
    }

    @Override
    public String name() {
        return tested.name() + " checked against " + reference.name();
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        float[] want = out.clone();
        reference.matmul(want, x.clone(), w, tokens);
        tested.matmul(out, x, w, tokens);
        check("matmul " + w.rows() + "x" + w.cols() + " of " + tokens + " tokens", want, out, tokens * w.rows());
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        float[] want = out == x ? x.clone() : out.clone();
        reference.rmsnorm(want, out == x ? want : x.clone(), weight.clone(), tokens, dim, eps);
        tested.rmsnorm(out, x, weight, tokens, dim, eps);
        check("rmsnorm " + tokens + "x" + dim, want, out, tokens * dim);
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        float[] want = x.clone();
        reference.rope(want, tokens, heads, headDim, positions.clone(), rope);
        tested.rope(x, tokens, heads, headDim, positions, rope);
        check("rope " + tokens + "x" + heads + "x" + headDim, want, x, tokens * heads * headDim);
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        float[] want = out == gate ? gate.clone() : out.clone();
        reference.swiglu(want, out == gate ? want : gate.clone(), up.clone(), n);
        tested.swiglu(out, gate, up, n);
        check("swiglu " + n, want, out, n);
    }

    @Override
    public void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        float[] wantOut = out.clone();
        float[] wantLse = lse.clone();
        reference.attention(s, q.clone(), k.clone(), v.clone(), wantOut, wantLse);
        tested.attention(s, q, k, v, out, lse);
        String what = "attention " + s;
        check(what + " out", wantOut, out, s.tokens() * s.heads() * s.headDim());
        check(what + " lse", wantLse, lse, s.tokens() * s.heads());
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores, int tokens, int pages,
                           int heads, int kvHeads, int headDim) {
        float[] want = scores.clone();
        reference.scorePages(q.clone(), pageMin.clone(), pageMax.clone(), want, tokens, pages, heads, kvHeads, headDim);
        tested.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        check("scorePages", want, scores, tokens * pages * heads);
    }

    @Override
    public Optional<BlockForward> blockForward() {
        return tested.blockForward();
    }

    private void check(String op, float[] want, float[] got, int n) {
        calls++;
        for (int i = 0; i < n; i++) {
            boolean same = Float.compare(want[i], got[i]) == 0
                    || Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i]));
            if (!same) {
                throw new AssertionError("call " + calls + ", " + op + " on " + tested.name() + ": [" + i + "] "
                        + got[i] + " vs reference " + want[i]);
            }
        }
    }
}
