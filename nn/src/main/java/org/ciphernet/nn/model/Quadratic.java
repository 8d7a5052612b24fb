package org.ciphernet.nn.model;

import java.util.Arrays;

/**
 * The trainable polynomial activation {@code a·x² + b·x + c}, with coefficients for the whole layer
 * (arrays of length 1) or per channel. When every a ≠ 0 the compiler rewrites it as
 * {@code a·(x + b/2a)² + (c − b²/4a)}, folds the shift into the previous layer and the factor into
 * the next one, so it costs one level like {@link Square}.
 */
public record Quadratic(double[] a, double[] b, double[] c) implements Layer {
    /** Validates lengths and copies the arrays. */
    public Quadratic {
        if (a.length == 0 || b.length != a.length || c.length != a.length) {
            throw new IllegalArgumentException("Quadratic needs a, b, c of one length (1 or the channel count)");
        }
        a = a.clone();
        b = b.clone();
        c = c.clone();
        Conv2d.checkFinite(a, "a");
        Conv2d.checkFinite(b, "b");
        Conv2d.checkFinite(c, "c");
    }

    /** One polynomial for every element. */
    public static Quadratic of(double a, double b, double c) {
        return new Quadratic(new double[] {a}, new double[] {b}, new double[] {c});
    }

    /** Whether the coefficients are per channel. */
    public boolean perChannel() {
        return a.length > 1;
    }

    /** The coefficient index for a channel. */
    public int coefficientIndex(int channel) {
        return perChannel() ? channel : 0;
    }

    @Override
    public double[] a() {
        return a.clone();
    }

    @Override
    public double[] b() {
        return b.clone();
    }

    @Override
    public double[] c() {
        return c.clone();
    }

    @Override
    public Shape outputShape(Shape... in) {
        if (perChannel() && a.length != in[0].channels()) {
            throw new IllegalArgumentException("Quadratic has " + a.length + " channel coefficients, input is " + in[0]);
        }
        return in[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quadratic q && Arrays.equals(q.a, a) && Arrays.equals(q.b, b) && Arrays.equals(q.c, c);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(a);
    }

    @Override
    public String toString() {
        return perChannel() ? "Quadratic(per channel)" : "Quadratic(" + a[0] + "x² + " + b[0] + "x + " + c[0] + ")";
    }
}
