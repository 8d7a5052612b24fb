package org.ciphernet.ckks;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Everything derived once from {@link CkksParameters}: the primes of Q (indices {@code 0 … L}) and
 * of P (indices {@code L+1 … L+|P|}), their NTT tables and kernels, the key-switching machinery.
 * Immutable and safe to share between threads; the start of every other CKKS object.
 *
 * <p>Primes: those of {@link CkksParameters#qPrimes()} and {@link CkksParameters#pPrimes()}.
 */
public final class CkksContext {
    private final CkksParameters params;
    private final long fingerprint;
    private final RingContext ring;
    private final int qCount;
    private final int pCount;
    private final KeySwitcher keySwitcher;
    /** rescaleInverse[l][i] = q_l^{-1} mod q_i for i < l: the factors of a rescale from level l. */
    private final long[][] rescaleInverse;
    /** log2Modulus[l] = {@link CkksParameters#log2Modulus}(l), read on every scale check. */
    private final double[] log2Modulus;

    private CkksContext(CkksParameters params) {
        this.params = params;
        this.fingerprint = params.fingerprint();
        int n = params.degree();
        List<Modulus> moduli = new ArrayList<>();
        for (long q : params.qPrimes()) {
            moduli.add(Modulus.of(q));
        }
        for (long p : params.pPrimes()) {
            moduli.add(Modulus.of(p));
        }
        this.qCount = params.qBits().size();
        this.pCount = params.pBits().size();
        this.ring = new RingContext(n, moduli);
        this.log2Modulus = new double[qCount];
        for (int l = 0; l < qCount; l++) {
            log2Modulus[l] = params.log2Modulus(l);
        }
        this.keySwitcher = new KeySwitcher(ring, qCount, pCount);
        this.rescaleInverse = new long[qCount][];
        for (int l = 0; l < qCount; l++) {
            rescaleInverse[l] = new long[l];
            for (int i = 0; i < l; i++) {
                Modulus m = ring.modulus(i);
                rescaleInverse[l][i] = ModArith.inverse(ModArith.reduce(ring.modulus(l).value(), m), m);
            }
        }
    }

    /**
     * Limb i of a rescale from {@code level}: {@code dst = (src - lift(last)) · q_level^{-1} mod q_i},
     * where {@code last} holds the dropped prime's residues in coefficient form and {@code lift} is
     * the centered lift, so the result is {@code c / q_level} rounded to nearest. {@code scratch}
     * (N residues) is needed only when dst is src.
     */
    void rescaleLimb(long[] src, long[] last, int level, int i, long[] dst, long[] scratch) {
        long[] t = dst == src ? scratch : dst;
        ring.ops(i).liftCentered(last, ring.modulus(level).value(), t);
        ring.ntt(i).forward(t);
        ring.ops(i).sub(src, t, dst);
        ring.ops(i).multiplyScalar(dst, rescaleInverse[level][i], dst);
    }

    /**
     * Throws {@link CkksException.ScaleOverflowException} unless a scale (with a bit to spare) fits
     * the modulus at a level.
     */
    void checkScaleFits(double scale, int level) {
        double bits = Math.log(scale) / Math.log(2);
        double avail = log2Modulus(level);
        if (!(bits + 1 < avail)) {
            throw new CkksException.ScaleOverflowException(String.format(
                    "scale 2^%.1f does not fit level %d, which holds %.1f bits: rescale first", bits, level, avail));
        }
    }

    /**
     * Residues modulo {@code q_0 … q_level} of the integer nearest to v (ties to even), exact for any
     * finite double (a BigInteger path above 2^62).
     */
    long[] residues(double v, int level) {
        return residues(v, levelPrimes(level));
    }

    /** Residues modulo the given context primes of the integer nearest to v, as {@link #residues(double, int)}. */
    long[] residues(double v, int[] primes) {
        long[] r = new long[primes.length];
        if (Math.abs(v) < 0x1p62) {
            long x = Math.round(v);
            for (int i = 0; i < primes.length; i++) {
                r[i] = ModArith.reduce(x, ring.modulus(primes[i]));
            }
        } else {
            BigInteger x = new BigDecimal(v).setScale(0, RoundingMode.HALF_EVEN).toBigInteger();
            for (int i = 0; i < primes.length; i++) {
                r[i] = x.mod(BigInteger.valueOf(ring.modulus(primes[i]).value())).longValue();
            }
        }
        return r;
    }

    /**
     * Throws {@link CkksException.ScaleOverflowException} unless a signed magnitude fits the modulus
     * at a level (below half of it, rounded down to a power of two).
     */
    void checkFits(double magnitude, int level, String what) {
        if (!(magnitude < Math.scalb(1.0, (int) Math.floor(log2Modulus(level)) - 1))) {
            throw new CkksException.ScaleOverflowException(String.format("%s needs %.1f bits but level %d holds %.1f bits (signed)",
                    what, Math.log(magnitude) / Math.log(2) + 1, level, log2Modulus(level)));
        }
    }

    /**
     * Bytes per coefficient and prime of the tables {@link #create} builds: the scalar NTT's four
     * {@code long} tables (powers of ψ and ψ⁻¹ in bit-reversed order and their Shoup quotients, 32),
     * the vector NTT's two {@code double} twiddle tables (16) and its lane-permuted tables for the
     * last stages, at most 3 stages × 8 (24, with 8 lanes). Measured: 72.1 at N = 2^16 with 45
     * primes of 37 bits, 64.0 with primes above 2^50 (scalar only).
     */
    static final int TABLE_BYTES_PER_COEFFICIENT = 72;

    /**
     * The heap the context of these parameters takes, estimated from its per-prime tables: about
     * {@code 72 · N · (|Q| + |P|)} bytes (203 MiB for N = 2^16 and 45 primes). Building it takes
     * time in proportion, about 1.4 s for that example. The key-switching converters that
     * {@link Evaluator} builds on first use and the keys are not included.
     */
    public static long estimatedTableBytes(CkksParameters params) {
        return estimatedTableBytes(params.logN(), params.qBits().size() + params.pBits().size());
    }

    /** {@link #estimatedTableBytes(CkksParameters)} from log2 N and the number of primes. */
    static long estimatedTableBytes(int logN, int primes) {
        return (long) TABLE_BYTES_PER_COEFFICIENT * primes << logN;
    }

    /**
     * Builds the context (generates primes and NTT tables: milliseconds to a second for large N;
     * {@link #estimatedTableBytes} says how much memory).
     */
    public static CkksContext create(CkksParameters params) {
        return new CkksContext(Objects.requireNonNull(params, "params"));
    }

    public CkksParameters parameters() {
        return params;
    }

    /** The parameter fingerprint every object of this context carries. */
    public long fingerprint() {
        return fingerprint;
    }

    public RingContext ring() {
        return ring;
    }

    /** Ring degree N. */
    public int degree() {
        return params.degree();
    }

    /** Complex slots, N/2. */
    public int slots() {
        return params.slots();
    }

    /** The highest level, L. */
    public int maxLevel() {
        return qCount - 1;
    }

    int qCount() {
        return qCount;
    }

    int pCount() {
        return pCount;
    }

    /** The prime of Q with index i (0 ≤ i ≤ L). */
    public long qPrime(int i) {
        if (i < 0 || i >= qCount) {
            throw new IndexOutOfBoundsException("Q has primes 0.." + (qCount - 1) + ", not " + i);
        }
        return ring.modulus(i).value();
    }

    /** The special prime with index j (0 ≤ j < |P|). */
    public long pPrime(int j) {
        return ring.modulus(qCount + j).value();
    }

    /** The primes of Q at a level: indices {@code 0 … level}. */
    int[] levelPrimes(int level) {
        return RingContext.range(0, level + 1);
    }

    /** The primes of Q at a level followed by all of P. */
    int[] levelAndSpecialPrimes(int level) {
        return keySwitcher.levelAndSpecialPrimes(level);
    }

    /** All primes of Q and P. */
    int[] allPrimes() {
        return RingContext.range(0, qCount + pCount);
    }

    /**
     * The limbs of a polynomial over all primes (limb i is prime i) that belong to {@code primes},
     * shared, not copied: the result must only be read.
     */
    RnsPoly restrict(RnsPoly all, int[] primes) {
        if (all.limbCount() != qCount + pCount) {
            throw new IllegalStateException("expected a polynomial over all " + (qCount + pCount) + " primes, got "
                    + all.limbCount());
        }
        long[][] limbs = new long[primes.length][];
        for (int i = 0; i < primes.length; i++) {
            limbs[i] = all.limb(primes[i]);
        }
        return new RnsPoly(all.degree(), primes, limbs, all.isNtt());
    }

    /**
     * {@code log2} of the product of the primes of Q at a level: {@link CkksParameters#log2Modulus}.
     *
     * @throws IllegalArgumentException if the level is outside {@code [0, maxLevel]}
     */
    public double log2Modulus(int level) {
        if (level < 0 || level >= qCount) {
            return params.log2Modulus(level); // throws the parameters' out-of-range exception
        }
        return log2Modulus[level];
    }

    /** The product of the primes of Q at a level. */
    public BigInteger modulus(int level) {
        BigInteger p = BigInteger.ONE;
        for (int i = 0; i <= level; i++) {
            p = p.multiply(BigInteger.valueOf(ring.modulus(i).value()));
        }
        return p;
    }

    KeySwitcher keySwitcher() {
        return keySwitcher;
    }

    /** Throws {@link CkksException.ParameterMismatchException} unless the fingerprint is this context's. */
    public void check(long otherFingerprint, String what) {
        if (otherFingerprint != fingerprint) {
            throw new CkksException.ParameterMismatchException(what + " was made under other parameters (fingerprint "
                    + Long.toHexString(otherFingerprint) + ", this context " + Long.toHexString(fingerprint) + ")");
        }
    }

    @Override
    public String toString() {
        long[] q = new long[qCount];
        for (int i = 0; i < qCount; i++) {
            q[i] = qPrime(i);
        }
        return "CkksContext[N=2^" + params.logN() + ", L=" + maxLevel() + ", log QP=" + params.logQp()
                + ", dnum=" + params.dnum() + ", Q=" + Arrays.toString(q) + "]";
    }
}
