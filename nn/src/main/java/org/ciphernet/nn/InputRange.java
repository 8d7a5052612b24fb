package org.ciphernet.nn;

import java.util.Locale;

/**
 * The closed interval of input values a plan was compiled for. Every value of an image must lie in
 * it. The compiler does not analyse ranges through the network: it sizes the output's headroom by
 * {@link org.ciphernet.nn.compiler.CompileOptions#integerBits()} and refuses a declared range beyond
 * {@link #ofHeadroom}{@code (integerBits)}; within that, the declared range is the caller's
 * statement of what the model was trained on. An input far outside it (an unscaled pixel, a wrong
 * normalization, 1e9) overflows the modulus somewhere in the network and decrypts to garbage
 * instead of an error. {@link HeClient}
 * refuses values outside, or clips them when asked ({@link HeClient.OutOfRange#CLIP}).
 *
 * @param min the smallest allowed value
 * @param max the largest allowed value
 */
public record InputRange(double min, double max) {
    /** Checks that the bounds are finite and ordered. */
    public InputRange {
        if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
            throw new IllegalArgumentException("an input range needs finite bounds with min ≤ max, got [" + min + ", " + max + "]");
        }
    }

    /**
     * The default when the caller declares nothing: {@code [−2^(integerBits−1), 2^(integerBits−1)]},
     * the largest magnitude the plan's output headroom can hold at all (the identity network would
     * already overflow beyond it). Declare the real range with
     * {@link org.ciphernet.nn.compiler.CompileOptions#withInputRange} to catch wrong scalings (pixels in [0, 255] for a model
     * trained on [0, 1]).
     */
    public static InputRange ofHeadroom(int integerBits) {
        double b = Math.scalb(1.0, integerBits - 1);
        return new InputRange(-b, b);
    }

    /** Whether {@code x} lies in the range (false for NaN). */
    public boolean contains(double x) {
        return x >= min && x <= max;
    }

    /** {@code x} clipped into the range. */
    public double clip(double x) {
        return Math.max(min, Math.min(max, x));
    }

    /** {@code [min, max]} with compact numbers. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "[%s, %s]", compact(min), compact(max));
    }

    private static String compact(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
