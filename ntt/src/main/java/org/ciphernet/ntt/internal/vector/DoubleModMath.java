package org.ciphernet.ntt.internal.vector;

/**
 * Error analysis of the double-precision (FMA) modular arithmetic used by the vector engines,
 * and the bound helpers the NTT plan uses.
 * Let {@code u = 2^-53} be the unit roundoff, {@code 2 <= q < 2^50}.
 *
 * <p><b>Representation.</b> Stored residues and accumulators are exact integers held in doubles,
 * signed and lazily reduced, with {@code |x| <= 2^52}. (Temporaries are larger or fractional:
 * {@code hi} reaches 2^101, the rounding sum 2^53, {@code fl(a*wq)} is not an integer; each is
 * covered below.)
 *
 * <p><b>Rounding to an integer.</b> With {@code M = 1.5 * 2^52}, whose neighbours are 1 apart,
 * {@code fma(a, b, M) - M} is the integer nearest to the exact product {@code a*b} (one rounding,
 * ties to even) whenever {@code |a*b| <= 2^51}. We write {@code rne(a*b)} for it.
 *
 * <p><b>Product by a fixed operand</b> {@code w} with {@code |w| <= (q-1)/2} (so {@code |w/q| < 1/2}
 * strictly; {@link #signed} guarantees it), {@code |a| <= 2^52}, and the quotient computed on the
 * fly as {@code wq = fl(w * qinv)}, {@code qinv = fl(1/q)} (tables store only w):
 * <pre>
 *   nhi = fl(a*(-w)) = -fl(a*w)             // -hi, negation is exact
 *   k   = rne(a*wq)                          // |a*wq| <= 2^51
 *   lo  = fma(a, w, nhi)                     // a*w - hi, exact (a, w integers)
 *   T   = lo - fma(k, q, nhi)                // = a*w - k*q
 * </pre>
 * {@code |wq - w/q| <= |w/q| (2u + u^2) < u} (as {@code |w/q| < 1/2 - 1/(2q)} and {@code q < 2^54}), so
 * {@code |a*wq - a*w/q| < |a| u} and {@code |T| <= q/2 + |a| q u <= q} for {@code |a| <= 2^52}: the bound
 * {@link #productBound} gives the plan.
 * Exactness: {@code |hi| <= 2^101}, so {@code |lo| <= 2^48}; the exact value {@code k*q - hi = lo - T}
 * is an integer below {@code 2^51} in magnitude, so that fused multiply-add rounds nothing, and
 * {@code lo - (lo - T)} is an integer below {@code 2^53}: exact.
 *
 * <p><b>General product</b> {@code a*b} with {@code a, b >= 0}, {@code b < q} and
 * {@code a*b/q < 2^50} (true for canonical {@code a, b < q}, and for {@code a < 2^50} a residue of
 * another prime, as in basis conversion), {@code qinv = fl(1/q)}, {@code hi = fl(a*b)}:
 * {@code k = rne(hi*qinv)}; two roundings ({@code hi} and {@code qinv}) give
 * {@code |hi*qinv - a*b/q| <= 2u * 2^50 = 0.25}, so {@code T = a*b - k*q = fma(k, -q, hi) + lo}
 * lies in {@code [-0.75q, 0.75q]}, exact by the same argument; adding {@code q} when negative
 * makes it canonical.
 *
 * <p><b>Reduction</b> of {@code |x| <= 2^52}: {@code r = fma(rne(x*qinv), -q, x)}.
 * {@code |x*qinv - x/q| <= |x| u / q <= 1/(2q)}, and {@code |x*qinv| <= 2^51} since {@code q >= 2}.
 * Hence {@code |r| <= q/2 + 1/2}; r is an integer, so for odd q {@code |r| <= (q+1)/2}, and for
 * {@code q = 2} {@code |r| <= 1}. The exact value is below 2^51, so the fma is exact.
 * <b>Canonical form</b> adds q when {@code r < 0}: the result lies in {@code [(q-1)/2, q)} or
 * {@code [0, (q+1)/2]}, never q and never negative.
 */
final class DoubleModMath {
    /** Rounding constant {@code 1.5 * 2^52}. */
    static final double ROUND = 6755399441055744.0;
    /** Largest magnitude any intermediate value may reach. */
    static final double LIMIT = 4503599627370496.0; // 2^52

    private DoubleModMath() {}

    /** Bound after a fixed-operand product with input bound {@code a}: {@code q/2 + a q 2^-53}, rounded up. */
    static double productBound(double a, double q) {
        return up(q / 2 + a * q * 0x1p-53);
    }

    /** Bound of a reduced value: {@code q/2 + 1}, rounded up. */
    static double reducedBound(double q) {
        return up(q / 2 + 1);
    }

    /**
     * A safe upper estimate of a positive bound computed in floating point: each bound formula
     * is at most three IEEE operations, each off by a relative {@code 2^-53}, so inflating by
     * {@code 2^-50} (and one unit) covers them.
     */
    static double up(double x) {
        return x * (1 + 0x1p-50) + 1;
    }

    /** The signed representative of a canonical residue: {@code w - q} when {@code w > q/2}. */
    static long signed(long w, long q) {
        return w > q / 2 ? w - q : w;
    }
}
