package io.starspark.kernels;

/**
 * The plain, obviously-correct twin of every fast kernel: naive loops, float64 accumulators.
 * Slow; used by tests to judge the fast backends, and by nothing on a hot path.
 */
public final class ReferenceKernels implements Kernels {

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public void matmul(float[] out, float[] x, Matrix w, int tokens) {
        Shapes.matmul(out, x, w, tokens);
        int rows = w.rows();
        int cols = w.cols();
        float[] row = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.loadRow(r, row, 0);
            for (int t = 0; t < tokens; t++) {
                double acc = 0;
                for (int c = 0; c < cols; c++) {
                    acc += (double) x[t * cols + c] * row[c];
                }
                out[t * rows + r] = (float) acc;
            }
        }
    }

    @Override
    public void rmsnorm(float[] out, float[] x, float[] weight, int tokens, int dim, float eps) {
        Shapes.rmsnorm(out, x, weight, tokens, dim);
        for (int t = 0; t < tokens; t++) {
            int base = t * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) {
                ss += (double) x[base + i] * x[base + i];
            }
            double inv = 1.0 / Math.sqrt(ss / dim + eps);
            for (int i = 0; i < dim; i++) {
                out[base + i] = (float) (x[base + i] * inv * weight[i]);
            }
        }
    }

    @Override
    public void rope(float[] x, int tokens, int heads, int headDim, int[] positions, Rope rope) {
        Shapes.rope(x, tokens, heads, headDim, positions, rope);
        for (int t = 0; t < tokens; t++) {
            for (int h = 0; h < heads; h++) {
                int base = (t * heads + h) * headDim;
                for (int i = 0; i < rope.pairs(); i++) {
                    double angle = positions[t] * rope.frequency(i);
                    double c = Math.cos(angle);
                    double s = Math.sin(angle);
                    int ia = base + rope.first(i);
                    int ib = base + rope.second(i);
                    double a = x[ia];
                    double b = x[ib];
                    x[ia] = (float) (a * c - b * s);
                    x[ib] = (float) (a * s + b * c);
                }
            }
        }
    }

    @Override
    public void swiglu(float[] out, float[] gate, float[] up, int n) {
        Shapes.swiglu(out, gate, up, n);
        for (int i = 0; i < n; i++) {
            double g = gate[i];
            out[i] = (float) (g / (1.0 + Math.exp(-g)) * up[i]);
        }
    }

    @Override
    public void attention(AttentionShape s, float[] q, float[] k, float[] v, float[] out, float[] lse) {
        s.check(q, k, v, out, lse);
        int hd = s.headDim();
        double scale = 1.0 / Math.sqrt(hd);
        double[] scores = new double[Math.max(s.keys(), 1)];
        for (int t = 0; t < s.tokens(); t++) {
            int visible = s.visibleKeys(t);
            for (int h = 0; h < s.heads(); h++) {
                int g = h / s.groupSize();
                int qBase = (t * s.heads() + h) * hd;
                int oBase = qBase;
                if (visible == 0) {
                    for (int d = 0; d < hd; d++) {
                        out[oBase + d] = 0f;
                    }
                    lse[t * s.heads() + h] = Float.NEGATIVE_INFINITY;
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < visible; j++) {
                    int kBase = (j * s.kvHeads() + g) * hd;
                    double dot = 0;
                    for (int d = 0; d < hd; d++) {
                        dot += (double) q[qBase + d] * k[kBase + d];
                    }
                    scores[j] = dot * scale;
                    max = Math.max(max, scores[j]);
                }
                double sum = 0;
                for (int j = 0; j < visible; j++) {
                    scores[j] = Math.exp(scores[j] - max);
                    sum += scores[j];
                }
                for (int d = 0; d < hd; d++) {
                    double acc = 0;
                    for (int j = 0; j < visible; j++) {
                        acc += scores[j] * v[(j * s.kvHeads() + g) * hd + d];
                    }
                    out[oBase + d] = (float) (acc / sum);
                }
                lse[t * s.heads() + h] = (float) (max + Math.log(sum));
            }
        }
    }

    @Override
    public void scorePages(float[] q, float[] pageMin, float[] pageMax, float[] scores,
                           int tokens, int pages, int heads, int kvHeads, int headDim) {
        Shapes.scorePages(q, pageMin, pageMax, scores, tokens, pages, heads, kvHeads, headDim);
        int group = heads / kvHeads;
        for (int t = 0; t < tokens; t++) {
            for (int p = 0; p < pages; p++) {
                for (int h = 0; h < heads; h++) {
                    int g = h / group;
                    int qBase = (t * heads + h) * headDim;
                    int pBase = (p * kvHeads + g) * headDim;
                    double acc = 0;
                    for (int c = 0; c < headDim; c++) {
                        double qc = q[qBase + c];
                        acc += Math.max(qc * pageMin[pBase + c], qc * pageMax[pBase + c]);
                    }
                    scores[(t * pages + p) * heads + h] = (float) acc;
                }
            }
        }
    }
}
