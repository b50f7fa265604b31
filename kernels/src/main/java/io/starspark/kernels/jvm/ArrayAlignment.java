package io.starspark.kernels.jvm;

import java.lang.reflect.Field;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a float array's elements sit relative to 64-byte cache lines. The decode GEMV loads x 16 floats (64 bytes)
 * at a time, and on this project's AMD EPYC (Zen 4) hosts such a load runs slower when it starts off a 32-byte
 * boundary. Java aligns arrays to 8 bytes only and the heap's layout varies from JVM to JVM, so the decode step's
 * speed varied with it: 1b Q4_K_M median step 57.8-64.4 ms with x wherever its array fell against 53.6-56.6 with x
 * starting on a line (gate+up 20.6-24.7 against 18.9-20.4 ms), 1b Q8_0 matmul 41.4-43.2 against 33.3-35.5 ms per
 * token ({@code PrefillBench --shapes 1b --decode 48}, three JVMs each, interleaved). {@link GemvInput} hands the
 * rows x from a line: the caller's array where it starts on one, else a copy from {@link #floatsToLine} on.
 * <p>
 * The address comes from {@code sun.misc.Unsafe} (module jdk.unsupported): an array's reference read as a raw word,
 * decoded as a compressed reference when the JVM uses them (scale 4 in an {@code Object[]}: zero- or heap-based,
 * shifted by the object alignment; unscaled for heaps under 4 GB), the shift found once from two arrays allocated
 * back to back. The answer can only cost or gain speed, never change a value: callers index x by the offset they
 * are given, and the garbage collector may move the array later (the offset is taken again on every call). Where
 * the address cannot be known (no Unsafe, an unexpected layout) the offset is 0, as before, logged once.
 */
final class ArrayAlignment {
    private static final Logger LOG = LoggerFactory.getLogger(ArrayAlignment.class);
    /** The JDK's {@code sun.misc.Unsafe}, or null where it cannot be had. */
    static final sun.misc.Unsafe UNSAFE = unsafe();
    /** How a reference word becomes an address: 64 raw, 0..3 a compressed reference's shift; -1 unknown. */
    private static final int DECODE = decode();

    private ArrayAlignment() {
    }

    /** Floats to skip from a[0] to the first element on a 64-byte boundary (0..15), or 0 when unknown. */
    static int floatsToLine(float[] a) {
        return DECODE < 0 ? 0 : (int) ((-elementAddress(a, 0) & 63) >>> 2);
    }

    /** The address of a[i] now (the collector may move the array later); only where {@link #known}. */
    static long elementAddress(float[] a, int i) {
        return address(a) + UNSAFE.arrayBaseOffset(float[].class) + 4L * i;
    }

    /** Whether {@link #floatsToLine} knows addresses on this JVM. */
    static boolean known() {
        return DECODE >= 0;
    }

    private static long address(Object o) {
        Object[] holder = {o};
        long at = UNSAFE.arrayBaseOffset(Object[].class);
        return DECODE == 64 ? UNSAFE.getLong(holder, at) : (UNSAFE.getInt(holder, at) & 0xffffffffL) << DECODE;
    }

    private static sun.misc.Unsafe unsafe() {
        try {
            Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (sun.misc.Unsafe) f.get(null);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.warn("decode GEMV: x not aligned to cache lines (no sun.misc.Unsafe: {})", e.toString());
            return null;
        }
    }

    /**
     * Raw references (8 bytes per Object[] slot) are addresses; compressed ones (4) are the address shifted right by
     * the object alignment's log (3 for 8 bytes), or not at all for heaps under 4 GB: two {@code long[1]} allocated
     * back to back in a thread's allocation buffer lie one array size apart, so their compressed references differ by
     * that size shifted (tried a few times: a new buffer between the two gives some other difference).
     */
    private static int decode() {
        if (UNSAFE == null) {
            return -1;
        }
        int scale = UNSAFE.arrayIndexScale(Object[].class);
        int shift = -1;
        if (scale == 8) {
            shift = 64;
        } else if (scale == 4) {
            long at = UNSAFE.arrayBaseOffset(Object[].class);
            long bytes = UNSAFE.arrayBaseOffset(long[].class) + 8L;
            for (int tries = 0; tries < 8 && shift < 0; tries++) {
                Object[] pair = {new long[1], new long[1]};
                long apart = (UNSAFE.getInt(pair, at + 4) & 0xffffffffL) - (UNSAFE.getInt(pair, at) & 0xffffffffL);
                for (int s : new int[] {0, 3, 4, 5}) { // unscaled, or the log of an 8- to 32-byte object alignment
                    long align = Math.max(8, 1L << s);
                    long size = (bytes + align - 1) / align * align;
                    if (shift < 0 && apart == size >> s) {
                        shift = s;
                    }
                }
            }
        }
        if (shift < 0) {
            LOG.warn("decode GEMV: x not aligned to cache lines (array addresses unknown: {} bytes per reference)",
                    scale);
        } else {
            LOG.info("decode GEMV: x aligned to 64-byte lines ({} references)",
                    shift == 64 ? "raw" : "compressed, shift " + shift);
        }
        return shift;
    }
}
