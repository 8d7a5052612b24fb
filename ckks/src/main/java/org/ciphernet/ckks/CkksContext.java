package org.ciphernet.ckks;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Primes;
import org.ciphernet.ring.RingContext;

/**
 * Everything derived once from {@link CkksParameters}: the primes of Q (indices {@code 0 … L}) and
 * of P (indices {@code L+1 … L+|P|}), their NTT tables and kernels, the key-switching machinery.
 * Immutable and safe to share between threads; the start of every other CKKS object.
 *
 * <p>Primes: the first prime is the largest prime {@code ≡ 1 mod 2N} below {@code 2^qBits[0]};
 * scaling primes are the primes closest to {@code 2^bits}, alternating above and below; special
 * primes are the largest below {@code 2^bits}. All distinct, all deterministic.
 */
public final class CkksContext {
    private final CkksParameters params;
    private final long fingerprint;
    private final RingContext ring;
    private final int qCount;
    private final int pCount;
    private final KeySwitcher keySwitcher;

    private CkksContext(CkksParameters params) {
        this.params = params;
        this.fingerprint = params.fingerprint();
        int n = params.degree();
        List<Long> chosen = new ArrayList<>();
        chosen.addAll(Primes.generate(params.qBits().get(0), n, 1, chosen));
        for (int i = 1; i < params.qBits().size(); i++) {
            chosen.addAll(Primes.closestTo(params.qBits().get(i), n, 1, chosen));
        }
        for (int b : params.pBits()) {
            chosen.addAll(Primes.generate(b, n, 1, chosen));
        }
        List<Modulus> moduli = new ArrayList<>();
        for (long q : chosen) {
            moduli.add(Modulus.of(q));
        }
        this.qCount = params.qBits().size();
        this.pCount = params.pBits().size();
        this.ring = new RingContext(n, moduli);
        this.keySwitcher = new KeySwitcher(this);
    }

    /** Builds the context (generates primes and NTT tables: milliseconds to a second for large N). */
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
        int[] r = new int[level + 1 + pCount];
        for (int i = 0; i <= level; i++) {
            r[i] = i;
        }
        for (int j = 0; j < pCount; j++) {
            r[level + 1 + j] = qCount + j;
        }
        return r;
    }

    /** All primes of Q and P. */
    int[] allPrimes() {
        return RingContext.range(0, qCount + pCount);
    }

    /** {@code log2} of the product of the primes of Q at a level. */
    public double log2Modulus(int level) {
        double s = 0;
        for (int i = 0; i <= level; i++) {
            s += Math.log(ring.modulus(i).value()) / Math.log(2);
        }
        return s;
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
    void check(long otherFingerprint, String what) {
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
