package io.starspark.kernels;

/**
 * A second float64 computation of every kernel, written apart from {@link ReferenceKernels} to judge it:
 * visibility by the mask rule {@code key j <= t + causalOffset}, softmax weights {@code exp(s_j - lse)},
 * rope as a complex rotation by {@code pos · exp(-(2i/d) ln theta) / factor_i}, page scores by the sign of q. Results
 * stay in float64; where a sum can cancel, a second array holds {@code Σ|terms|} for the tolerance.
 */
final class PlainMath {
    private PlainMath() {
    }

    /** {@code [0]: out [tokens][rows]; [1]: Σ_c |x·w| per output}. */
    static double[][] matmul(float[] x, Matrix w, int tokens) {
        double[] out = new double[tokens * w.rows()];
        double[] magnitude = new double[out.length];
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < w.rows(); r++) {
                for (int c = 0; c < w.cols(); c++) {
                    double term = element(w, r, c) * x[t * w.cols() + c];
                    out[t * w.rows() + r] += term;
                    magnitude[t * w.rows() + r] += Math.abs(term);
                }
            }
        }
        return new double[][] {out, magnitude};
    }

    /** {@code W[r][c]} read straight from the stored values (block types through their own tested decoder). */
    static double element(Matrix w, int r, int c) {
        int i = r * w.cols() + c;
        if (w instanceof F32Matrix f) {
            return f.data()[i];
        }
        if (w instanceof F16Matrix h) {
            return Half.toFloat(h.data()[i]);
        }
        if (w instanceof Q8Matrix q) {
            int at = q.quantIndex(r, c); // its layout: Q8MatrixTest
            return q.tiledQuants()[at] * q.tiledScales()[at / Q8Matrix.BLOCK];
        }
        float[] row = new float[w.cols()];
        w.loadRow(r, row, 0);
        return row[c];
    }

    static double[] rmsnorm(float[] x, float[] weight, int tokens, int dim, float eps) {
        double[] out = new double[tokens * dim];
        for (int t = 0; t < tokens; t++) {
            double meanSquare = 0;
            for (int i = 0; i < dim; i++) {
                meanSquare += (double) x[t * dim + i] * x[t * dim + i] / dim;
            }
            double rms = Math.sqrt(meanSquare + eps);
            for (int i = 0; i < dim; i++) {
                out[t * dim + i] = x[t * dim + i] / rms * weight[i];
            }
        }
        return out;
    }

    /**
     * Pair i of each head is (x[2i], x[2i+1]) (adjacent) or (x[i], x[i + rotaryDim/2]) (neox), turned by
     * {@code pos · exp(-(2i/rotaryDim) ln theta) / factors[i]}.
     */
    static double[] rope(float[] x, int tokens, int heads, int headDim, int[] positions, boolean neox, int rotaryDim,
            double theta, float[] factors) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i];
        }
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                for (int pair = 0; pair < rotaryDim / 2; pair++) {
                    int head = (t * heads + h) * headDim;
                    int re = head + (neox ? pair : 2 * pair);
                    int im = head + (neox ? pair + rotaryDim / 2 : 2 * pair + 1);
                    double angle = positions[t] * Math.exp(-(2.0 * pair / rotaryDim) * Math.log(theta))
                            / (factors == null ? 1 : factors[pair]);
                    // (re + i·im) · e^{i·angle}
                    out[re] = x[re] * Math.cos(angle) - x[im] * Math.sin(angle);
                    out[im] = x[im] * Math.cos(angle) + x[re] * Math.sin(angle);
                }
            }
        }
        return out;
    }

    static double[] swiglu(float[] gate, float[] up) {
        double[] out = new double[gate.length];
        for (int i = 0; i < gate.length; i++) {
            double sigmoid = 1 / (1 + Math.exp(-(double) gate[i]));
            out[i] = gate[i] * sigmoid * up[i];
        }
        return out;
    }

    /** {@code [0]: out [tokens][heads][headDim] (0 where no key is visible); [1]: lse [tokens][heads] (−∞ there)}. */
    static double[][] attention(float[] q, float[] k, float[] v, int tokens, int keys, int heads, int kvHeads,
            int headDim, int causalOffset) {
        double[] out = new double[tokens * heads * headDim];
        double[] lse = new double[tokens * heads];
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int kvHead = h * kvHeads / heads;
                double[] score = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    score[j] = Double.NEGATIVE_INFINITY;
                    if (j <= (long) t + causalOffset) {
                        double dot = 0;
                        for (int d = 0; d < headDim; d++) {
                            dot += (double) q[(t * heads + h) * headDim + d] * k[(j * kvHeads + kvHead) * headDim + d];
                        }
                        score[j] = dot / Math.sqrt(headDim);
                        max = Math.max(max, score[j]);
                    }
                }
                if (max == Double.NEGATIVE_INFINITY) {
                    lse[t * heads + h] = Double.NEGATIVE_INFINITY;
                    continue;
                }
                double sum = 0;
                for (int j = 0; j < keys; j++) {
                    sum += Math.exp(score[j] - max);
                }
                double logSum = max + Math.log(sum);
                lse[t * heads + h] = logSum;
                for (int j = 0; j < keys; j++) {
                    double weight = Math.exp(score[j] - logSum);
                    for (int d = 0; d < headDim; d++) {
                        out[(t * heads + h) * headDim + d] += weight * v[(j * kvHeads + kvHead) * headDim + d];
                    }
                }
            }
        }
        return new double[][] {out, lse};
    }

    /** Score of page p for query head h: Σ_c q_c · (q_c ≥ 0 ? max_c : min_c), the largest q·k over the page's box. */
    static double[] scorePages(float[] q, float[] pageMin, float[] pageMax, int tokens, int pages, int heads,
            int kvHeads, int headDim) {
        double[] out = new double[tokens * pages * heads];
        for (int t = 0; t < tokens; t++) {
            for (int p = 0; p < pages; p++) {
                for (int h = 0; h < heads; h++) {
                    int box = (p * kvHeads + h * kvHeads / heads) * headDim;
                    double score = 0;
                    for (int c = 0; c < headDim; c++) {
                        double qc = q[(t * heads + h) * headDim + c];
                        score += qc * (qc >= 0 ? pageMax[box + c] : pageMin[box + c]);
                    }
                    out[(t * pages + p) * heads + h] = score;
                }
            }
        }
        return out;
    }
}
