package io.starspark.kernels.jvm;

import io.starspark.kernels.Matrix;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code out[t][r] = Σ_c x[t][c] · W[r][c]} with cache blocking (BLIS-style).
 *
 * <pre>
 * xp: [ceil(T/MR)][cols][MR]   X packed once per call, token panels padded with zeros
 * wp: [NC/NR][KC][NR]          a W block converted to float and transposed once per (rows block, KC block)
 * </pre>
 * The micro-kernel keeps an MR×NR tile of out in registers (MR broadcasts of x, 2 vector loads of W,
 * 2·MR FMAs per step). A W panel (KC×NR) stays in L1 while every token panel of the MC block passes;
 * the MC×KC block of X stays in L2. Threads split the output rows. Few tokens (decode) take
 * {@link Gemv}, which streams each weight row once.
 * Generated micro-kernel: the MR accumulator pairs are spelled out so they stay in registers. MR = 8 (16
 * accumulators): this VM's FMA latency needs more independent chains than 12; MicroKernelBench, 1 thread, interleaved,
 * measured MR 6 / 8 / 12 at 68–77 / 85–89 / 86–93 GFLOP/s (noisy host) and 124–125 / 136–137 / 137–138 (quiet). MR does not change any
 * output's summation order (one accumulator per output, k in order), so the bits stay the same.
 */
final class JavaMatmul {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int VL = S.length();
    static final int MR = 8;
    static final int NR = 2 * VL;
    static final int KC = 256;
    /** Token panels per L2 block of X. */
    static final int MC_PANELS = 16;
    /** W row panels per packed block. */
    static final int NC_PANELS = 16;
    /** At most this many tokens take the dot-product (GEMV) path. */
    static final int SMALL_T = 3;

    private JavaMatmul() {
    }

    static void matmul(float[] out, float[] x, Matrix w, int tokens, Parallel par, ThreadLocal<Scratch> scratch) {
        int rows = w.rows();
        int cols = w.cols();
        long flops = 2L * tokens * rows * cols;
        if (tokens <= SMALL_T) {
            GemvInput in = GemvInput.of(x, tokens, cols, new Matrix[] {w}, scratch.get());
            par.forRange(rows, flops, (r0, r1) -> Gemv.rows(out, in, w, r0, r1, scratch.get()));
            return;
        }
        int panels = (tokens + MR - 1) / MR;
        float[] xp = scratch.get().packedX(panels * cols * MR);
        par.forRange(panels, flops, (p0, p1) -> packX(xp, x, tokens, cols, p0, p1));
        int rowPanels = (rows + NR - 1) / NR;
        par.forRange(rowPanels, flops, (j0, j1) -> gemmRows(out, xp, w, tokens, panels, j0, j1, scratch.get()));
    }

    /**
     * Several matrices, one x: at few tokens one parallel loop over the rows of all of them (one hand-off to the
     * pool instead of one per matrix; every row's sum is the one {@link Gemv} computes alone), else one
     * {@link #matmul} each.
     */
    static void matmuls(float[][] outs, float[] x, Matrix[] ws, int tokens, Parallel par, ThreadLocal<Scratch> scratch) {
        if (tokens > SMALL_T) {
            for (int i = 0; i < ws.length; i++) {
                matmul(outs[i], x, ws[i], tokens, par, scratch);
            }
            return;
        }
        int total = 0;
        long flops = 0;
        for (Matrix w : ws) {
            total += w.rows();
            flops += 2L * tokens * w.rows() * w.cols();
        }
        GemvInput in = GemvInput.of(x, tokens, ws[0].cols(), ws, scratch.get());
        par.forRange(total, flops, (a, b) -> {
            int base = 0;
            for (int i = 0; i < ws.length; i++) {
                int rows = ws[i].rows();
                int lo = Math.max(a, base);
                int hi = Math.min(b, base + rows);
                if (lo < hi) {
                    Gemv.rows(outs[i], in, ws[i], lo - base, hi - base, scratch.get());
                }
                base += rows;
            }
        });
    }

    private static void packX(float[] xp, float[] x, int tokens, int cols, int p0, int p1) {
        for (int p = p0; p < p1; p++) {
            int base = p * cols * MR;
            for (int i = 0; i < MR; i++) {
                int t = p * MR + i;
                if (t >= tokens) {
                    for (int c = 0; c < cols; c++) {
                        xp[base + c * MR + i] = 0f;
                    }
                    continue;
                }
                for (int c = 0; c < cols; c++) {
                    xp[base + c * MR + i] = x[t * cols + c];
                }
            }
        }
    }

    /** Row panels [j0, j1) of out, for all tokens. */
    private static void gemmRows(float[] out, float[] xp, Matrix w, int tokens, int panels, int j0, int j1, Scratch s) {
        int cols = w.cols();
        float[] wp = s.packedW(NC_PANELS * KC * NR);
        float[] row = s.row(KC);
        for (int jc = j0; jc < j1; jc += NC_PANELS) {
            int jn = Math.min(NC_PANELS, j1 - jc);
            for (int pc = 0; pc < cols; pc += KC) {
                int kc = Math.min(KC, cols - pc);
                packW(wp, w, jc, jn, pc, kc, row);
                boolean accumulate = pc > 0;
                for (int ic = 0; ic < panels; ic += MC_PANELS) {
                    int in = Math.min(MC_PANELS, panels - ic);
                    for (int jr = 0; jr < jn; jr++) {
                        int r0 = (jc + jr) * NR;
                        int rValid = Math.min(NR, w.rows() - r0);
                        for (int ir = ic; ir < ic + in; ir++) {
                            int t0 = ir * MR;
                            micro(xp, (ir * cols + pc) * MR, wp, jr * KC * NR, kc, s.tile);
                            storeTile(out, w.rows(), t0, r0, Math.min(MR, tokens - t0), rValid, accumulate, s.tile);
                        }
                    }
                }
            }
        }
    }

    /** wp[jr][k][j] = W[(jc + jr)·NR + j][pc + k], zero past the last row. */
    private static void packW(float[] wp, Matrix w, int jc, int jn, int pc, int kc, float[] row) {
        for (int jr = 0; jr < jn; jr++) {
            int base = jr * KC * NR;
            for (int j = 0; j < NR; j++) {
                int r = (jc + jr) * NR + j;
                if (r >= w.rows()) {
                    for (int k = 0; k < kc; k++) {
                        wp[base + k * NR + j] = 0f;
                    }
                    continue;
                }
                w.loadRow(r, pc, kc, row, 0);
                for (int k = 0; k < kc; k++) {
                    wp[base + k * NR + j] = row[k];
                }
            }
        }
    }

    /** tile[i][j] = Σ_k xp[xOff + k·MR + i] · wp[wOff + k·NR + j], tile: [MR][NR]. */
    static void micro(float[] xp, int xOff, float[] wp, int wOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int b = wOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, wp, b);
            FloatVector b1 = FloatVector.fromArray(S, wp, b + VL);
            int a = xOff + k * MR;
            FloatVector a0 = FloatVector.broadcast(S, xp[a + 0]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, xp[a + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, xp[a + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, xp[a + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, xp[a + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, xp[a + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, xp[a + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, xp[a + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + VL);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + VL);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + VL);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + VL);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + VL);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + VL);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + VL);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + VL);
    }

    private static void storeTile(float[] out, int rows, int t0, int r0, int tValid, int rValid,
                                  boolean accumulate, float[] tile) {
        if (rValid == NR) {
            for (int i = 0; i < tValid; i++) {
                int o = (t0 + i) * rows + r0;
                for (int j = 0; j < NR; j += VL) {
                    FloatVector c = FloatVector.fromArray(S, tile, i * NR + j);
                    if (accumulate) {
                        c = c.add(FloatVector.fromArray(S, out, o + j));
                    }
                    c.intoArray(out, o + j);
                }
            }
            return;
        }
        for (int i = 0; i < tValid; i++) {
            int o = (t0 + i) * rows + r0;
            for (int j = 0; j < rValid; j++) {
                out[o + j] = accumulate ? out[o + j] + tile[i * NR + j] : tile[i * NR + j];
            }
        }
    }

    /** Σ_i a[aOff + i] · b[bOff + i] for i &lt; n. */
    static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int i = 0;
        for (; i + 2 * VL <= n; i += 2 * VL) {
            acc0 = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(S, a, aOff + i + VL).fma(FloatVector.fromArray(S, b, bOff + i + VL), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOff + i] * b[bOff + i];
        }
        return sum;
    }
}
