package org.ciphernet.ntt;

import java.math.BigInteger;
import java.util.Objects;

/**
 * Fast (approximate) basis conversion from a basis Q to a disjoint basis P, the core of hybrid
 * key switching (ModUp: Q to P, ModDown: P back to Q).
 *
 * <p>For x with residues {@code x_i} modulo {@code q_i}, it computes per target prime {@code p_j}
 * <pre>  y_j = sum_i [x_i * (Q/q_i)^{-1}]_{q_i} * (Q/q_i)  mod p_j  </pre>
 * which equals {@code x + alpha*Q} modulo every {@code p_j} for one integer
 * {@code 0 <= alpha < size(Q)} (the sum of k fractions each below 1). The error {@code alpha*Q} is
 * what hybrid key switching tolerates; {@link #modDown} turns it into a rounding error of at most
 * {@code size(P)}. {@link #convertCentered} removes {@code alpha*Q} exactly and gives the
 * representative of x modulo Q nearest to zero.
 *
 * <p>The inner loop, one multiply-accumulate over the source limbs per target prime, runs on
 * the delayed-reduction multiply-accumulate of {@link LimbOps}.
 */
public final class BasisConverter {
    private final RnsBasis from;
    private final RnsBasis to;
    private final LimbOps[] fromOps;
    private final LimbOps[] toOps;
    /** {@code (Q/q_i)^{-1} mod q_i}. */
    private final long[] qHatInv;
    /** {@code [j][i] = (Q/q_i) mod p_j}. */
    private final long[][] qHatModP;
    /** {@code Q^{-1} mod p_j}, used by {@link #modDown} when this converter goes P to Q. */
    private final long[] fromProductInvModTo;
    /** {@code 1.0 / q_i}: {@link #convertCentered} counts {@code alpha = round(Σ_i y_i / q_i)} in doubles. */
    private final double[] fromInverse;
    /** {@code [j][m] = m·Q mod p_j} for {@code m = 0 … size(Q)}. */
    private final long[][] fromProductMultiplesModTo;
    private final boolean operandsFitTargets;

    /** A converter from basis {@code from} to basis {@code to} on the preferred backend. */
    public BasisConverter(RnsBasis from, RnsBasis to) {
        this(from, to, Backend.preferred());
    }

    /** A converter on a chosen backend. The bases must share no prime. */
    public BasisConverter(RnsBasis from, RnsBasis to, Backend backend) {
        this.from = Objects.requireNonNull(from, "from");
        this.to = Objects.requireNonNull(to, "to");
        for (Modulus a : from.moduli()) {
            if (to.moduli().contains(a)) {
                throw new IllegalArgumentException("bases share the prime " + a.value());
            }
        }
        int k = from.size();
        int l = to.size();
        // Source residues are not reduced modulo the target primes: the double-precision path
        // needs every operand below 2^50, the scalar path takes any 61-bit operand.
        boolean sourcesSmall = from.moduli().stream().allMatch(Modulus::fitsDoublePath);
        this.operandsFitTargets = sourcesSmall;
        Backend targetBackend = sourcesSmall ? backend : Backend.SCALAR;
        fromOps = new LimbOps[k];
        qHatInv = new long[k];
        fromInverse = new double[k];
        for (int i = 0; i < k; i++) {
            fromOps[i] = LimbOps.of(from.modulus(i), backend);
            qHatInv[i] = from.qHatInv(i);
            fromInverse[i] = 1.0 / from.modulus(i).value();
        }
        toOps = new LimbOps[l];
        qHatModP = new long[l][k];
        fromProductInvModTo = new long[l];
        fromProductMultiplesModTo = new long[l][k + 1];
        for (int j = 0; j < l; j++) {
            Modulus p = to.modulus(j);
            toOps[j] = LimbOps.of(p, targetBackend);
            BigInteger pj = BigInteger.valueOf(p.value());
            for (int i = 0; i < k; i++) {
                qHatModP[j][i] = from.qHat(i).mod(pj).longValue();
            }
            fromProductInvModTo[j] = ModArith.inverse(from.product().mod(pj).longValue(), p);
            for (int m = 0; m <= k; m++) {
                fromProductMultiplesModTo[j][m] = from.product().multiply(BigInteger.valueOf(m)).mod(pj).longValueExact();
            }
        }
    }

    public RnsBasis from() {
        return from;
    }

    public RnsBasis to() {
        return to;
    }

    /**
     * Converts limbs {@code [from.size()][n]} (coefficient form) to limbs {@code [to.size()][n]}
     * holding {@code x + alpha*Q}, {@code 0 <= alpha < from.size()}, per coefficient.
     */
    public long[][] convert(long[][] x) {
        int n = checkLimbs(x, from);
        long[][] out = new long[to.size()][n];
        convertInto(x, out);
        return out;
    }

    /** {@link #convert} into existing output limbs (overwritten). */
    public void convertInto(long[][] x, long[][] out) {
        convertInto(x, out, null);
    }

    /**
     * {@link #convertInto(long[][], long[][])} with caller-owned working space: {@code work} holds
     * at least {@link #workLimbs()} arrays of the limbs' length (contents ignored and overwritten),
     * or is null to allocate them. Hot paths pass reused arrays so a conversion allocates nothing.
     */
    public void convertInto(long[][] x, long[][] out, long[][] work) {
        accumulate(coefficients(x, out, work), out);
    }

    /** Arrays of working space the conversions take: one per source prime, and one more for the centered one. */
    public int workLimbs() {
        return from.size() + 1;
    }

    /**
     * Exact conversion to the centered representative: limbs modulo the {@code to} primes of the
     * integer y with {@code y ≡ x (mod Q)} and {@code |y| ≤ Q/2}, per coefficient (coefficient
     * form in, canonical residues out).
     *
     * <p>Proof: with {@code y_i = [x_i · (Q/q_i)^{-1}]_{q_i}}, the fast conversion
     * {@code Σ_i y_i · Q/q_i} equals {@code (x mod Q) + ⌊Σ_i y_i/q_i⌋·Q}, because
     * {@code Σ_i y_i/q_i} has fractional part {@code (x mod Q)/Q}. Subtracting
     * {@code round(Σ_i y_i/q_i)·Q} instead leaves {@code x mod Q} when that is below Q/2 and
     * {@code x mod Q − Q} otherwise: the centered representative (Halevi, Polyakov and Shoup, "An
     * Improved RNS Variant of the BFV Homomorphic Encryption Scheme", CT-RSA 2019, §2.3). The sum
     * is taken in doubles, with an error below {@code size(Q)·2^-52}: it can pick the other
     * rounding only within that distance of a tie, where both representatives have |y| ≈ Q/2.
     */
    public void convertCenteredInto(long[][] x, long[][] out) {
        convertCenteredInto(x, out, null);
    }

    /**
     * {@link #convertCenteredInto(long[][], long[][])} with caller-owned working space, as for
     * {@link #convertInto(long[][], long[][], long[][])}.
     */
    public void convertCenteredInto(long[][] x, long[][] out, long[][] work) {
        long[][] y = coefficients(x, out, work);
        accumulate(y, out);
        int n = x[0].length;
        int k = from.size();
        long[] alpha = work == null ? new long[n] : work[k]; // round(Σ_i y_i/q_i), in [0, k]
        for (int t = 0; t < n; t++) {
            double sum = 0;
            for (int i = 0; i < k; i++) {
                sum += y[i][t] * fromInverse[i];
            }
            alpha[t] = Math.round(sum);
        }
        for (int j = 0; j < out.length; j++) {
            long p = to.modulus(j).value();
            long[] multiples = fromProductMultiplesModTo[j];
            long[] o = out[j];
            for (int t = 0; t < n; t++) {
                long r = o[t] - multiples[(int) alpha[t]];
                o[t] = r < 0 ? r + p : r;
            }
        }
    }

    /**
     * {@code y_i = [x_i · (Q/q_i)^{-1}]_{q_i}} (in {@code work}'s first arrays, or new ones), after
     * checking the shapes of x, out and work.
     */
    private long[][] coefficients(long[][] x, long[][] out, long[][] work) {
        int n = checkLimbs(x, from);
        if (checkLimbs(out, to) != n) {
            throw new IllegalArgumentException("output limbs have length " + out[0].length + ", input " + n);
        }
        int k = from.size();
        long[][] y;
        if (work == null) {
            y = new long[k][n];
        } else {
            if (work.length < k + 1) {
                throw new IllegalArgumentException(work.length + " working arrays, the conversion needs " + (k + 1));
            }
            y = java.util.Arrays.copyOf(work, k);
            for (long[] w : work) {
                if (w.length != n) {
                    throw new IllegalArgumentException("working array of length " + w.length + ", limbs have " + n);
                }
            }
        }
        for (int i = 0; i < k; i++) {
            fromOps[i].multiplyScalar(x[i], qHatInv[i], y[i]);
        }
        return y;
    }

    /** {@code out_j = Σ_i y_i · (Q/q_i) mod p_j}. */
    private void accumulate(long[][] y, long[][] out) {
        for (int j = 0; j < to.size(); j++) {
            java.util.Arrays.fill(out[j], 0L);
            toOps[j].multiplyAccumulateScalarsUnreduced(out[j], y, qHatModP[j], operandsFitTargets);
        }
    }

    /**
     * ModDown: given x in the joint basis as its {@code to}-part {@code xTo} (limbs modulo the
     * primes of {@code to}) and its {@code from}-part {@code xFrom}, with this converter going
     * from P (= {@code from}) to Q (= {@code to}), returns limbs modulo Q of
     * {@code (x - (x mod P + alpha*P)) / P}: {@code x / P} rounded toward minus infinity up to an
     * error of at most {@code size(P)}. Coefficient form.
     */
    public long[][] modDown(long[][] xTo, long[][] xFrom) {
        int n = checkLimbs(xTo, to);
        if (checkLimbs(xFrom, from) != n) {
            throw new IllegalArgumentException("limb lengths differ");
        }
        long[][] conv = convert(xFrom);
        long[][] out = new long[to.size()][n];
        for (int j = 0; j < to.size(); j++) {
            toOps[j].sub(xTo[j], conv[j], out[j]);
            toOps[j].multiplyScalar(out[j], fromProductInvModTo[j], out[j]);
        }
        return out;
    }

    private static int checkLimbs(long[][] limbs, RnsBasis basis) {
        if (limbs.length != basis.size()) {
            throw new IllegalArgumentException(limbs.length + " limbs for a basis of " + basis.size() + " primes");
        }
        int n = limbs[0].length;
        for (long[] l : limbs) {
            if (l.length != n) {
                throw new IllegalArgumentException("limbs of different lengths");
            }
        }
        return n;
    }
}
