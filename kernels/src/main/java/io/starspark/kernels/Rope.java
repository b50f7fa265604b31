package io.starspark.kernels;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rotary position embedding of one model, as llama.cpp applies it. Pair {@code i} (0 ≤ i &lt; rotaryDim/2)
 * of each head rotates by {@code position · theta^(-2i/rotaryDim) / freqFactors[i]}; dims past rotaryDim
 * are untouched. Validated here, where the settings enter the kernels.
 *
 * @param style       which two dims of a head form pair i: {@link Style#ADJACENT} or {@link Style#NEOX}
 * @param rotaryDim   leading dims of each head that rotate; even, ≥ 2
 * @param theta       frequency base ({@code <arch>.rope.freq_base})
 * @param freqFactors [rotaryDim/2] divisors of each pair's frequency (Llama 3's {@code rope_freqs.weight},
 *                    times a linear scaling factor), or null for all 1
 */
public record Rope(Style style, int rotaryDim, double theta, float[] freqFactors) {

    /** Which dims pair up; llama.cpp's LLAMA_ROPE_TYPE_NORM and LLAMA_ROPE_TYPE_NEOX. */
    public enum Style {
        /** (x[2i], x[2i+1]): GGUF llama "normal" style (llama, mistral). */
        ADJACENT,
        /** (x[i], x[i + rotaryDim/2]): rotate halves, GPT-NeoX style (qwen2, qwen3). */
        NEOX
    }

    public Rope {
        if (style == null) {
            throw new IllegalArgumentException("rope style must be given");
        }
        if (rotaryDim < 2 || rotaryDim % 2 != 0) {
            throw new IllegalArgumentException("rotaryDim must be even and >= 2 (got " + rotaryDim + ")");
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            throw new IllegalArgumentException("rope theta must be positive and finite (got " + theta + ")");
        }
        if (freqFactors != null) {
            if (freqFactors.length != rotaryDim / 2) {
                throw new IllegalArgumentException("rope frequency factors need rotaryDim/2 = " + rotaryDim / 2
                    + " entries (got " + freqFactors.length + ")");
            }
            for (float f : freqFactors) {
                if (!(f > 0) || Float.isInfinite(f)) {
                    throw new IllegalArgumentException("rope frequency factors must be positive and finite (got "
                        + f + ")");
                }
            }
            freqFactors = freqFactors.clone();
        }
    }

    /** Plain rope: adjacent pairs, no frequency factors. */
    public static Rope adjacent(int rotaryDim, double theta) {
        return new Rope(Style.ADJACENT, rotaryDim, theta, null);
    }

    /** Number of rotated pairs per head. */
    public int pairs() {
        return rotaryDim / 2;
    }

    /** Angle per position of pair i: {@code theta^(-2i/rotaryDim) / freqFactors[i]}, in double. */
    public double frequency(int i) {
        double f = Math.pow(theta, -(2.0 * i) / rotaryDim);
        return freqFactors == null ? f : f / freqFactors[i];
    }

    /** Offset inside a head of pair i's first element (the "real" part). */
    public int first(int i) {
        return style == Style.ADJACENT ? 2 * i : i;
    }

    /** Offset inside a head of pair i's second element (the "imaginary" part). */
    public int second(int i) {
        return style == Style.ADJACENT ? 2 * i + 1 : i + rotaryDim / 2;
    }

    /** Checks the rope fits heads of {@code headDim}. */
    public void requireFits(int headDim) {
        if (rotaryDim > headDim) {
            throw new IllegalArgumentException("rotaryDim " + rotaryDim + " exceeds headDim " + headDim);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rope r && r.style == style && r.rotaryDim == rotaryDim
            && Double.compare(r.theta, theta) == 0 && Arrays.equals(r.freqFactors, freqFactors);
    }

    @Override
    public int hashCode() {
        return Objects.hash(style, rotaryDim, theta, Arrays.hashCode(freqFactors));
    }

    @Override
    public String toString() {
        return "Rope[" + style + ", rotaryDim=" + rotaryDim + ", theta=" + theta
            + (freqFactors == null ? "" : ", freqFactors=" + Arrays.toString(freqFactors)) + "]";
    }
}
