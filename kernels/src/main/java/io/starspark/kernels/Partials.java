package io.starspark.kernels;

/**
 * Exact merge of attention partials computed over disjoint key sets:
 * {@code l = log(e^l1 + e^l2)}, {@code o = e^(l1-l)·o1 + e^(l2-l)·o2}. Associative and
 * commutative (to float error), so partials from any split of the keys merge to one softmax.
 */
public final class Partials {
    private Partials() {
    }

    /**
     * Merges (o2, l2) into (o1, l1) in place.
     *
     * @param o1, o2 [rows][headDim]; l1, l2 [rows] where rows = tokens·heads
     */
    public static void mergeInto(float[] o1, float[] l1, float[] o2, float[] l2, int rows, int headDim) {
        for (int r = 0; r < rows; r++) {
            float a = l1[r];
            float b = l2[r];
            if (b == Float.NEGATIVE_INFINITY) {
                continue;
            }
            if (a == Float.NEGATIVE_INFINITY) {
                System.arraycopy(o2, r * headDim, o1, r * headDim, headDim);
                l1[r] = b;
                continue;
            }
            double m = Math.max(a, b);
            double wa = Math.exp(a - m);
            double wb = Math.exp(b - m);
            double sum = wa + wb;
            double ca = wa / sum;
            double cb = wb / sum;
            int base = r * headDim;
            for (int d = 0; d < headDim; d++) {
                o1[base + d] = (float) (ca * o1[base + d] + cb * o2[base + d]);
            }
            l1[r] = (float) (m + Math.log(sum));
        }
    }
}
