package io.starspark.bench;

import java.util.Locale;
import java.util.SplittableRandom;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Which int8 dot-product formulations the JDK's C2 makes fast, one thread, L1-resident rows (compute only):
 * the Q8_0 GEMV's float path (bytes widened to float, FMA with float activations) against int8 × int8 through
 * the Vector API (bytes → shorts, multiply, shorts → ints, add) and a plain scalar loop (C2 superword).
 * Prints G multiply-adds/s of each. Usage: {@code bench/run-java.sh 1g io.starspark.bench.Int8DotBench [seconds]}.
 */
public final class Int8DotBench {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_512;
    private static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    private static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    private static final int N = 4096;

    private Int8DotBench() {
    }

    /** Bytes widened to float and FMA'd with float activations (JavaMatmul.dotQ8 without the scale). */
    static float floatPath(byte[] w, float[] x) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int i = 0; i < N; i += 32) {
            FloatVector w0 = (FloatVector) ByteVector.fromArray(B128, w, i).convertShape(VectorOperators.B2F, F, 0);
            FloatVector w1 = (FloatVector) ByteVector.fromArray(B128, w, i + 16).convertShape(VectorOperators.B2F, F, 0);
            acc0 = FloatVector.fromArray(F, x, i).fma(w0, acc0);
            acc1 = FloatVector.fromArray(F, x, i + 16).fma(w1, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** int8 × int8: 32 bytes → 32 shorts each, multiply (fits in 16 bits), widen to 2 × 16 ints, add. */
    static int shortPath(byte[] a, byte[] b) {
        IntVector acc0 = IntVector.zero(I512);
        IntVector acc1 = IntVector.zero(I512);
        for (int i = 0; i < N; i += 32) {
            ShortVector sa = (ShortVector) ByteVector.fromArray(B256, a, i).convertShape(VectorOperators.B2S, S512, 0);
            ShortVector sb = (ShortVector) ByteVector.fromArray(B256, b, i).convertShape(VectorOperators.B2S, S512, 0);
            ShortVector p = sa.mul(sb);
            acc0 = acc0.add(p.convertShape(VectorOperators.S2I, I512, 0));
            acc1 = acc1.add(p.convertShape(VectorOperators.S2I, I512, 1));
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** The scalar loop, left to C2's superword vectorizer. */
    static int scalarPath(byte[] a, byte[] b) {
        int s = 0;
        for (int i = 0; i < N; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    public static void main(String[] args) {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 1.0;
        SplittableRandom r = new SplittableRandom(5);
        byte[] a = new byte[N];
        byte[] b = new byte[N];
        float[] x = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (byte) (r.nextInt(255) - 127);
            b[i] = (byte) (r.nextInt(255) - 127);
            x[i] = b[i];
        }
        int exact = scalarPath(a, b);
        if (shortPath(a, b) != exact || floatPath(a, x) != exact) {
            throw new IllegalStateException("int8 dot paths disagree: " + exact + " " + shortPath(a, b) + " " + floatPath(a, x));
        }
        for (int rep = 0; rep < 3; rep++) {
            System.out.printf(Locale.ROOT, "float path %.2f GMAC/s, short path %.2f GMAC/s, scalar loop %.2f GMAC/s%n",
                    time(() -> (int) floatPath(a, x), seconds), time(() -> shortPath(a, b), seconds), time(() -> scalarPath(a, b), seconds));
        }
    }

    private static double time(java.util.function.IntSupplier body, double seconds) {
        long calls = 0;
        long sink = 0;
        long t0 = System.nanoTime();
        long end = t0 + (long) (seconds * 1e9);
        long now;
        do {
            for (int i = 0; i < 1000; i++) {
                sink += body.getAsInt();
            }
            calls += 1000;
            now = System.nanoTime();
        } while (now < end);
        if (sink == 42) {
            System.out.print("");
        }
        return calls * (double) N / ((now - t0) / 1e9) / 1e9;
    }
}
