package io.starspark.kernels.jvm;

import java.util.Locale;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The GEMM micro-kernel's height: {@link JavaMatmul}'s own micro-kernel (MR = {@link JavaMatmul#MR} tokens × NR rows,
 * KC = 256, packed panels) against copies of it at MR 6 and 12, one thread, interleaved rounds, in G FLOP/s: whether
 * this machine's FMA latency and register file still favour the production height. In the kernel's package (a
 * bench-module class on the classpath) so that it times the production method itself, not a copy of it; the copies
 * are the alternatives only, spelled out like the kernel so their accumulators stay in registers.
 * Usage: {@code bench/run-java.sh 1g io.starspark.kernels.jvm.MicroKernelBench [rounds]}.
 */
public final class MicroKernelBench {
    private static final VectorSpecies<Float> S = JavaMatmul.S;
    private static final int VL = JavaMatmul.VL;
    private static final int NR = JavaMatmul.NR;
    private static final int KC = JavaMatmul.KC;
    /** Token panels per timed pass (each a KC × MR slice of packed x), W panels per pass: an L2-sized working set. */
    private static final int PANELS = 16;

    private MicroKernelBench() {
    }

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        int[] heights = {6, JavaMatmul.MR, 12};
        Random r = new Random(1);
        float[] wp = new float[PANELS * KC * NR];
        for (int i = 0; i < wp.length; i++) {
            wp[i] = r.nextFloat();
        }
        float[][] xps = new float[heights.length][];
        for (int h = 0; h < heights.length; h++) {
            xps[h] = new float[PANELS * KC * heights[h]];
            for (int i = 0; i < xps[h].length; i++) {
                xps[h][i] = r.nextFloat();
            }
        }
        float[] tile = new float[12 * NR];
        System.out.printf(Locale.ROOT, "micro-kernel, 1 thread, VL %d, NR %d, KC %d; production MR %d%n", VL, NR, KC,
                JavaMatmul.MR);
        for (int round = 0; round < rounds; round++) {
            StringBuilder line = new StringBuilder();
            for (int h = 0; h < heights.length; h++) {
                int mr = heights[h];
                long best = Long.MAX_VALUE;
                for (int it = 0; it < 60; it++) {
                    long t0 = System.nanoTime();
                    pass(h, xps[h], wp, tile);
                    best = Math.min(best, System.nanoTime() - t0);
                }
                double flops = 2.0 * PANELS * PANELS * KC * mr * NR;
                line.append(String.format(Locale.ROOT, "MR %d%s %.1f  ", mr, h == 1 ? " (production)" : "", flops / best));
            }
            System.out.println(line + "GFLOP/s (tile[0] " + tile[0] + ")");
        }
    }

    /** Every W panel times every token panel, at heights[h]: h 1 is JavaMatmul's own micro-kernel. */
    private static void pass(int h, float[] xp, float[] wp, float[] tile) {
        for (int jr = 0; jr < PANELS; jr++) {
            for (int ir = 0; ir < PANELS; ir++) {
                switch (h) {
                    case 0 -> micro6(xp, ir * KC * 6, wp, jr * KC * NR, KC, tile);
                    case 1 -> JavaMatmul.micro(xp, ir * KC * JavaMatmul.MR, wp, jr * KC * NR, KC, tile);
                    default -> micro12(xp, ir * KC * 12, wp, jr * KC * NR, KC, tile);
                }
            }
        }
    }

    /** The micro-kernel at MR = 6: tile[i][j] = Σ_k xp[xOff + k·6 + i] · wp[wOff + k·NR + j], tile: [6][NR]. */
    static void micro6(float[] xp, int xOff, float[] wp, int wOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int b = wOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, wp, b);
            FloatVector b1 = FloatVector.fromArray(S, wp, b + VL);
            int a = xOff + k * 6;
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
    }

    /** The micro-kernel at MR = 12: tile[i][j] = Σ_k xp[xOff + k·12 + i] · wp[wOff + k·NR + j], tile: [12][NR]. */
    static void micro12(float[] xp, int xOff, float[] wp, int wOff, int kc, float[] tile) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        FloatVector c80 = FloatVector.zero(S), c81 = FloatVector.zero(S);
        FloatVector c90 = FloatVector.zero(S), c91 = FloatVector.zero(S);
        FloatVector c100 = FloatVector.zero(S), c101 = FloatVector.zero(S);
        FloatVector c110 = FloatVector.zero(S), c111 = FloatVector.zero(S);
        for (int k = 0; k < kc; k++) {
            int b = wOff + k * NR;
            FloatVector b0 = FloatVector.fromArray(S, wp, b);
            FloatVector b1 = FloatVector.fromArray(S, wp, b + VL);
            int a = xOff + k * 12;
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
            FloatVector a8 = FloatVector.broadcast(S, xp[a + 8]);
            c80 = a8.fma(b0, c80);
            c81 = a8.fma(b1, c81);
            FloatVector a9 = FloatVector.broadcast(S, xp[a + 9]);
            c90 = a9.fma(b0, c90);
            c91 = a9.fma(b1, c91);
            FloatVector a10 = FloatVector.broadcast(S, xp[a + 10]);
            c100 = a10.fma(b0, c100);
            c101 = a10.fma(b1, c101);
            FloatVector a11 = FloatVector.broadcast(S, xp[a + 11]);
            c110 = a11.fma(b0, c110);
            c111 = a11.fma(b1, c111);
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
        c80.intoArray(tile, 8 * NR);
        c81.intoArray(tile, 8 * NR + VL);
        c90.intoArray(tile, 9 * NR);
        c91.intoArray(tile, 9 * NR + VL);
        c100.intoArray(tile, 10 * NR);
        c101.intoArray(tile, 10 * NR + VL);
        c110.intoArray(tile, 11 * NR);
        c111.intoArray(tile, 11 * NR + VL);
    }
}
