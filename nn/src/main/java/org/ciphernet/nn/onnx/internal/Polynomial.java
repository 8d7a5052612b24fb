package org.ciphernet.nn.onnx.internal;

import java.util.Arrays;

/**
 * An element-wise polynomial {@code a·x² + b·x + c} of a tensor already in the network (its
 * {@code base} node), with one coefficient per channel. The importer folds chains of constant
 * multiplications and additions, batch-norms and squares into one of these and only turns it into
 * a layer when a structural operator (convolution, dense, pooling, skip addition, output) reads it,
 * so a conv → BN → x² pattern becomes one convolution and one square.
 *
 * @param rank the ONNX rank of the tensor (4 for N×C×H×W, 2 for N×n), for broadcasting constants
 * @param origin the ONNX node that produced the value, used to name the layer it may become
 */
record Polynomial(String base, int rank, double[] a, double[] b, double[] c, String origin) {

    /** The tensor itself. */
    static Polynomial identity(String base, int rank, int channels, String origin) {
        double[] one = new double[channels];
        Arrays.fill(one, 1.0);
        return new Polynomial(base, rank, new double[channels], one, new double[channels], origin);
    }

    int channels() {
        return a.length;
    }

    /** 2 when some channel is quadratic, 1 when affine, 0 when constant. */
    int degree() {
        if (nonZero(a)) {
            return 2;
        }
        return nonZero(b) ? 1 : 0;
    }

    boolean isIdentity() {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 0 || b[i] != 1 || c[i] != 0) {
                return false;
            }
        }
        return true;
    }

    /** Whether this is exactly {@code x²} in every channel. */
    boolean isSquare() {
        for (int i = 0; i < a.length; i++) {
            if (a[i] != 1 || b[i] != 0 || c[i] != 0) {
                return false;
            }
        }
        return true;
    }

    Polynomial times(double[] k, String by) {
        double[] na = new double[a.length];
        double[] nb = new double[a.length];
        double[] nc = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            na[i] = a[i] * k[i];
            nb[i] = b[i] * k[i];
            nc[i] = c[i] * k[i];
        }
        return new Polynomial(base, rank, na, nb, nc, by);
    }

    Polynomial plus(double[] k, String by) {
        double[] nc = c.clone();
        for (int i = 0; i < a.length; i++) {
            nc[i] += k[i];
        }
        return new Polynomial(base, rank, a.clone(), b.clone(), nc, by);
    }

    /** The sum of two polynomials of the same base. */
    Polynomial plus(Polynomial o, String by) {
        double[] na = new double[a.length];
        double[] nb = new double[a.length];
        double[] nc = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            na[i] = a[i] + o.a[i];
            nb[i] = b[i] + o.b[i];
            nc[i] = c[i] + o.c[i];
        }
        return new Polynomial(base, rank, na, nb, nc, by);
    }

    /** The product of two polynomials of the same base whose degrees sum to at most 2. */
    Polynomial times(Polynomial o, String by) {
        double[] na = new double[a.length];
        double[] nb = new double[a.length];
        double[] nc = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            // (a x² + b x + c)(a' x² + b' x + c') truncated: the caller checked the x³, x⁴ terms vanish
            na[i] = a[i] * o.c[i] + b[i] * o.b[i] + c[i] * o.a[i];
            nb[i] = b[i] * o.c[i] + c[i] * o.b[i];
            nc[i] = c[i] * o.c[i];
        }
        return new Polynomial(base, rank, na, nb, nc, by);
    }

    private static boolean nonZero(double[] v) {
        for (double x : v) {
            if (x != 0) {
                return true;
            }
        }
        return false;
    }
}
