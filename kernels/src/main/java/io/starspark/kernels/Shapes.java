package io.starspark.kernels;

/** Argument checks shared by kernels; messages name the argument and both numbers. */
public final class Shapes {
    private Shapes() {
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
