package org.ciphernet.ntt.internal.vector;

/**
 * Error analysis of the double-precision (FMA) modular arithmetic used by the vector engines,
 * and its scalar form (the vector code performs exactly the same IEEE operations lane by lane).
 * Let {@code u = 2^-53} be the unit roundoff, {@code 2 <= q < 2^50}.
 *
 * <p><b>Representation.</b> Stored residues and accumulators are exact integers held in doubles,
 * signed and lazily reduced, with {@code |x| <= 2^52}. (Temporaries are larger or fractional:
 * {@code hi} reaches 2^101, the rounding sum 2^53, {@code fl(a*wq)} is not an integer; each is
 * covered below.)
 *
 * <p><b>Rounding to an integer.</b> {@code rne(y) = (y + M) - M} with {@code M = 1.5 * 2^52} is
 * round-to-nearest-even for {@code |y| <= 2^51}.
 *
 * <p><b>Product by a fixed operand</b> {@code w} with {@code |w| <= (q-1)/2} (so {@code |w/q| < 1/2}
 * strictly; {@link #signed} guarantees it), {@code wq = fl(w/q)}, and {@code |a| <= 2^52}:
 * <pre>
 *   hi = fl(a*w);  lo = fma(a, w, -hi)      // a*w = hi + lo exactly (a, w integers)
 *   k  = rne(fl(a*wq))                       // |fl(a*wq)| <= 2^51
 *   T  = fma(-k, q, hi) + lo                 // = a*w - k*q
 * </pre>
 * {@code |fl(a*wq) - a*w/q| <= |a| |w/q| (2u + u^2) < |a| u}, so {@code |T| <= q/2 + |a| q u <= q}.
 * Exactness: {@code |hi| <= 2^101}, so {@code |lo| <= 2^48}; the exact value {@code hi - k*q = T - lo}
 * is an integer below {@code 2^51} in magnitude, so the fused multiply-add rounds nothing, and
 * {@code (T - lo) + lo} is an integer below {@code 2^53}: exact.
 *
 * <p><b>General product</b> {@code a*b} with {@code a, b >= 0}, {@code b < q} and
 * {@code a*b/q < 2^50} (true for canonical {@code a, b < q}, and for {@code a < 2^50} a residue of
 * another prime, as in basis conversion), {@code qinv = fl(1/q)}: {@code k = rne(fl(hi*qinv))};
 * three roundings give {@code |fl(hi*qinv) - a*b/q| <= 3u * 2^50 = 0.375}, so {@code T = a*b - k*q}
 * lies in {@code (-0.875q, 0.875q)}, exact by the same argument; adding {@code q} when negative
 * makes it canonical.
 *
 * <p><b>Reduction</b> of {@code |x| <= 2^52}: {@code r = x - rne(fl(x*qinv))*q} (one fma).
 * {@code |fl(x*qinv) - x/q| <= |x| (2u + u^2)/q <= (1 + 2^-54)/q}, and {@code |fl(x*qinv)| <= 2^51}
 * since {@code q >= 2}. Hence {@code |r| <= q/2 + 1 + 2^-54}; r is an integer, so {@code |r| <= q/2 + 1},
 * and for odd q {@code |r| <= (q+1)/2}. The exact value is below 2^51, so the fma is exact.
 * <b>Canonical form</b> adds q when {@code r < 0}: the result lies in {@code [(q-1)/2, q)} or
 * {@code [0, (q+1)/2]}, never q and never negative.
 */
public final class DoubleModMath {
    /** Rounding constant {@code 1.5 * 2^52}. */
    public static final double ROUND = 6755399441055744.0;
    /** Largest magnitude any intermediate value may reach. */
    public static final double LIMIT = 4503599627370496.0; // 2^52

    private DoubleModMath() {}

    /** Round to nearest integer for {@code |x| <= 2^51}. */
    public static double rne(double x) {
        return (x + ROUND) - ROUND;
    }

    /** {@code a*w - k*q}, congruent to {@code a*w} modulo q, with the bound in the class comment. */
    public static double mulFixed(double a, double w, double wq, double q) {
        double hi = a * w;
        double lo = Math.fma(a, w, -hi);
        double k = rne(a * wq);
        return Math.fma(-k, q, hi) + lo;
    }

    /** {@code x - rne(x/q)*q}: the representative of {@code x} of magnitude at most {@code q/2 + 1}. */
    public static double reduce(double x, double q, double qinv) {
        return Math.fma(-rne(x * qinv), q, x);
    }

    /** Canonical residue in {@code [0, q)} of {@code |x| <= 2^52}. */
    public static long canonical(double x, double q, double qinv) {
        double r = reduce(x, q, qinv);
        if (r < 0) {
            r += q;
        }
        return (long) r;
    }

    /** Bound after a fixed-operand product with input bound {@code a}: {@code q/2 + a q 2^-53}, rounded up. */
    public static double productBound(double a, double q) {
        return up(q / 2 + a * q * 0x1p-53);
    }

    /** Bound of a reduced value: {@code q/2 + 1}, rounded up. */
    public static double reducedBound(double q) {
        return up(q / 2 + 1);
    }

    /**
     * A safe upper estimate of a positive bound computed in floating point: each bound formula
     * is at most three IEEE operations, each off by a relative {@code 2^-53}, so inflating by
     * {@code 2^-50} (and one unit) covers them.
     */
    public static double up(double x) {
        return x * (1 + 0x1p-50) + 1;
    }

    /** The signed representative of a canonical residue: {@code w - q} when {@code w > q/2}. */
    public static long signed(long w, long q) {
        return w > q / 2 ? w - q : w;
    }
}
