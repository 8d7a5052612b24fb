package org.ciphernet.ckks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.ciphernet.ntt.BasisConverter;
import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.RnsBasis;
import org.ciphernet.ring.RingContext;
import org.ciphernet.ring.RnsPoly;

/**
 * Hybrid key switching (Han–Ki): for a polynomial c at level ℓ (NTT form over {@code Q_ℓ}),
 * <ol>
 *   <li><b>ModUp</b>: split Q's primes into digits of |P| consecutive primes; each digit's limbs of
 *       c are extended by fast basis conversion to all other primes of {@code Q_ℓ} and P
 *       ({@link #decompose});</li>
 *   <li><b>inner product</b> with the key: {@code Σ_d digit_d · (b_d, a_d)} over {@code Q_ℓ ∪ P},
 *       one multiply-accumulate per limb with the reduction delayed across the digits
 *       ({@link #applyKey}; an optional Galois permutation of the digits gives hoisted rotations);</li>
 *   <li><b>ModDown</b>: divide by P, rounded to nearest ({@link #modDown}).</li>
 * </ol>
 * The result {@code (d0, d1)} satisfies {@code d0 + d1·s ≈ c·s'}. Thread-safe (caches, and a {@link LimbPool} for the
 * temporaries, so that a key switch allocates only its result).
 */
final class KeySwitcher {
    private final RingContext ring;
    /** |Q|: Q's primes are the ring's primes {@code 0 … qCount - 1}. */
    private final int qCount;
    /** |P|, the primes per digit: P's primes are the ring's primes {@code qCount … qCount + alpha - 1}. */
    private final int alpha;
    private final int digitCount;
    private final Map<Long, ModUp> upConverters = new ConcurrentHashMap<>();
    private final Map<Integer, BasisConverter> downConverters = new ConcurrentHashMap<>();
    /** pModQ[i] = P mod q_i (the gadget factor of switching keys). */
    private final long[] pModQ;
    /** pInvModQ[i] = P^{-1} mod q_i. */
    private final long[] pInvModQ;
    /** Temporaries: digits, key products, conversions (see {@link LimbPool}). */
    private final LimbPool pool;

    /**
     * Key switching over a ring whose primes are Q's ({@code 0 … qCount - 1}) followed by P's
     * ({@code qCount … qCount + pCount - 1}); the ring may hold no others.
     */
    KeySwitcher(RingContext ring, int qCount, int pCount) {
        if (qCount < 1 || pCount < 1 || ring.primeCount() != qCount + pCount) {
            throw new IllegalArgumentException("a ring of " + ring.primeCount() + " primes cannot be " + qCount + " of Q and "
                    + pCount + " of P");
        }
        this.ring = ring;
        this.qCount = qCount;
        this.alpha = pCount;
        this.digitCount = (qCount + alpha - 1) / alpha;
        this.pModQ = new long[qCount];
        this.pInvModQ = new long[qCount];
        this.pool = new LimbPool(ring.degree(), poolCapacity(ring.degree()));
        for (int i = 0; i < qCount; i++) {
            Modulus m = ring.modulus(i);
            long p = 1;
            for (int j = 0; j < alpha; j++) {
                p = ModArith.mulMod(p, ModArith.reduce(ring.modulus(qCount + j).value(), m), m);
            }
            pModQ[i] = p;
            pInvModQ[i] = ModArith.inverse(p, m);
        }
    }

    /** Bytes the pool may keep for reuse, whatever the degree; it holds only what operations needed at once. */
    private static final long POOL_BYTES = 512L << 20;

    private static int poolCapacity(int n) {
        return (int) Math.max(64, POOL_BYTES / (8L * n));
    }

    /** The primes of Q at a level ({@code 0 … level}) followed by all of P. */
    int[] levelAndSpecialPrimes(int level) {
        int[] r = new int[level + 1 + alpha];
        for (int i = 0; i <= level; i++) {
            r[i] = i;
        }
        for (int j = 0; j < alpha; j++) {
            r[level + 1 + j] = qCount + j;
        }
        return r;
    }

    /** {@code P mod q_i}. */
    long pModQ(int i) {
        return pModQ[i];
    }

    int digitCount() {
        return digitCount;
    }

    /** First Q prime of digit d. */
    int digitStart(int d) {
        return d * alpha;
    }

    /** One past the last Q prime of digit d (not clipped to a level). */
    int digitEnd(int d) {
        return Math.min(qCount, (d + 1) * alpha);
    }

    /** Digits that have at least one prime at level ℓ. */
    int digitsAt(int level) {
        return CkksParameters.digitCount(level, alpha);
    }

    private RnsBasis basis(int[] primes) {
        List<Modulus> ms = new ArrayList<>(primes.length);
        for (int p : primes) {
            ms.add(ring.modulus(p));
        }
        return RnsBasis.of(ms);
    }

    /**
     * The conversion of digit d at a level, with {@code H = (Q_d - 1)/2} modulo the digit's primes
     * ({@code hFrom}) and {@code -H} modulo the others ({@code minusHTo}): digits are lifted centered, {@code [c + H]_{Q_d} - H},
     * so that they have mean zero (a digit in {@code [0, Q_d)} has mean {@code Q_d/2}; times the key's
     * error, that is {@code (Q_d/2P)·e} times the all-ones polynomial, which is about N/π at the slots
     * nearest 1: with N = 2^13 and scale 2^33 a rotation lost 7 to 10 bits, depending on the key).
     */
    private record ModUp(BasisConverter converter, long[] hFrom, long[] minusHTo) {}

    private ModUp upConverter(int d, int level) {
        return upConverters.computeIfAbsent(((long) d << 32) | level, key -> {
            int end = Math.min(digitEnd(d), level + 1);
            int[] from = RingContext.range(digitStart(d), end);
            int[] to = complement(from, level);
            java.math.BigInteger qd = java.math.BigInteger.ONE;
            for (int i : from) {
                qd = qd.multiply(java.math.BigInteger.valueOf(ring.modulus(i).value()));
            }
            java.math.BigInteger h = qd.subtract(java.math.BigInteger.ONE).shiftRight(1);
            long[] hFrom = new long[from.length];
            for (int i = 0; i < from.length; i++) {
                hFrom[i] = h.mod(java.math.BigInteger.valueOf(ring.modulus(from[i]).value())).longValueExact();
            }
            long[] minusHTo = new long[to.length];
            for (int i = 0; i < to.length; i++) {
                minusHTo[i] = h.negate().mod(java.math.BigInteger.valueOf(ring.modulus(to[i]).value())).longValueExact();
            }
            return new ModUp(new BasisConverter(basis(from), basis(to)), hFrom, minusHTo);
        });
    }

    private BasisConverter downConverter(int level) {
        return downConverters.computeIfAbsent(level, l -> {
            int[] p = RingContext.range(qCount, qCount + alpha);
            return new BasisConverter(basis(p), basis(RingContext.range(0, l + 1)));
        });
    }

    /** The primes of {@code Q_ℓ ∪ P} not in {@code from}, in increasing order. */
    private int[] complement(int[] from, int level) {
        int[] all = levelAndSpecialPrimes(level);
        int[] out = new int[all.length - from.length];
        int k = 0;
        int f = 0;
        for (int p : all) {
            if (f < from.length && from[f] == p) {
                f++;
            } else {
                out[k++] = p;
            }
        }
        return out;
    }

    /** The pool the temporaries of key switching come from (and go back to). */
    LimbPool pool() {
        return pool;
    }

    /**
     * ModUp: the digits of c (limbs in NTT form over {@code Q_ℓ}, possibly more limbs, which are
     * ignored) as limbs over {@code Q_ℓ ∪ P} in NTT form, {@code [digit][limb][coefficient]}, in
     * arrays from the pool (the caller gives them back). Each digit equals c modulo its own primes
     * and, elsewhere, the centered lift of c modulo {@code Q_d} plus {@code α·Q_d} (small α).
     */
    long[][][] decompose(long[][] c, int level, LimbParallelism par) {
        int digits = digitsAt(level);
        int[] target = levelAndSpecialPrimes(level);
        int n = ring.degree();
        long[][][] out = new long[digits][][];
        par.forEach(digits, d -> {
            int start = digitStart(d);
            int end = Math.min(digitEnd(d), level + 1);
            ModUp up = upConverter(d, level);
            long[][] coeff = new long[end - start][];
            for (int i = start; i < end; i++) {
                long[] a = pool.take();
                System.arraycopy(c[i], 0, a, 0, n);
                ring.ntt(i).inverse(a);
                ring.ops(i).addScalar(a, up.hFrom()[i - start], a);
                coeff[i - start] = a;
            }
            // the digit's own limbs are c's; the others are converted straight into the digit
            long[][] digit = pool.take(target.length);
            long[][] ext = new long[target.length - (end - start)][];
            int e = 0;
            for (int t = 0; t < target.length; t++) {
                int prime = target[t];
                if (prime >= start && prime < end) {
                    System.arraycopy(c[prime], 0, digit[t], 0, n);
                } else {
                    ext[e++] = digit[t];
                }
            }
            long[][] work = pool.take(up.converter().workLimbs());
            up.converter().convertInto(coeff, ext, work);
            pool.give(work);
            pool.give(coeff);
            for (int t = 0, o = 0; t < target.length; t++) {
                int prime = target[t];
                if (prime < start || prime >= end) {
                    long[] a = digit[t];
                    ring.ops(prime).addScalar(a, up.minusHTo()[o++], a);
                    ring.ntt(prime).forward(a);
                }
            }
            out[d] = digit;
        });
        return out;
    }

    /**
     * {@code (out0, out1) = Σ_d π(digit_d) · (b_d, a_d)} over {@code Q_ℓ ∪ P} (NTT form), where π is
     * the NTT-domain Galois permutation {@code perm}, or the identity when null; the two results'
     * limbs come from the pool.
     */
    long[][][] applyKey(long[][][] digits, SwitchingKey key, int level, int[] perm, LimbParallelism par) {
        if (level > key.maxLevel()) {
            throw new CkksException.LevelException("the key-switching key covers levels up to " + key.maxLevel()
                    + "; the ciphertext is at level " + level);
        }
        int[] target = levelAndSpecialPrimes(level);
        int n = ring.degree();
        int digitsUsed = digits.length;
        long[][] out0 = new long[target.length][];
        long[][] out1 = new long[target.length][];
        par.forEach(target.length, t -> {
            int prime = target[t];
            long[][] x = new long[digitsUsed][];
            long[][] kb = new long[digitsUsed][];
            long[][] ka = new long[digitsUsed][];
            for (int d = 0; d < digitsUsed; d++) {
                long[] src = digits[d][t];
                if (perm != null) {
                    long[] dst = pool.take();
                    for (int j = 0; j < n; j++) {
                        dst[j] = src[perm[j]];
                    }
                    x[d] = dst;
                } else {
                    x[d] = src;
                }
                kb[d] = key.bLimb(d, prime);
                ka[d] = key.aLimb(d, prime);
            }
            out0[t] = pool.takeZeroed();
            out1[t] = pool.takeZeroed();
            // each digit read once for both parts; a permuted digit is copied first (measured faster
            // than gathering it inside the product, LimbBench.keySwitchPermutedPair)
            ring.ops(prime).multiplyAccumulatePair(out0[t], out1[t], x, kb, ka);
            if (perm != null) {
                pool.give(x);
            }
        });
        return new long[][][] {out0, out1};
    }

    /**
     * ModDown: {@code x} over {@code Q_ℓ ∪ P} (NTT) to {@code ⌊x / P⌉} over {@code Q_ℓ} (NTT), rounded
     * to nearest: {@code (x - y) / P} where y is the centered representative of {@code x mod P}
     * ({@code |y| ≤ P/2}), so the rounding error is at most 1/2 and has mean zero.
     *
     * <p>y is lifted from P's limbs exactly by {@link org.ciphernet.ntt.BasisConverter#convertCenteredInto}
     * (the fast conversion less its overflow {@code k·P}, k counted in doubles). Without this correction (the fast conversion alone, off by
     * {@code k·P} with k in {@code [0, |P|)}) the quotient is off by k, which has mean
     * {@code (|P|-1)/2}: with two special primes, a bias of 1/2 in every coefficient of both parts,
     * and the bias of c1, times s, is a smooth polynomial that the slots nearest 1 amplify. At
     * N = 2^14 (scale 2^40, two special primes, {@code SealPrecisionTest}) one rotation of a
     * secret-key encryption measured 22.0 bits (median of 10, max error over the slots) with the
     * fast conversion alone and 25.8 bits with this correction.
     */
    RnsPoly modDown(RnsPoly x, int level, LimbParallelism par) {
        return modDown(x, null, level, par);
    }

    /**
     * {@link #modDown(RnsPoly, int, LimbParallelism) ModDown} of {@code x + e}, for x over
     * {@code Q_ℓ ∪ P} (NTT) and a small polynomial e given by its signed coefficients (or null for
     * none): e is added in coefficient form where ModDown already works in it (P's limbs, and the
     * lift subtracted from Q's limbs), which saves the NTTs of e over {@code Q_ℓ ∪ P}.
     */
    RnsPoly modDown(RnsPoly x, long[] e, int level, LimbParallelism par) {
        RnsPoly out = ring.zero(RingContext.range(0, level + 1), true);
        modDownInto(x.limbs(), e, level, null, out.limbs(), par);
        return out;
    }

    /**
     * {@code out_i = ModDown(x + e)_i + addend_i} for the limbs {@code i ≤ ℓ} of Q (as
     * {@link #modDown(RnsPoly, long[], int, LimbParallelism)}; addend, e may be null; out may be
     * addend). x (limbs over {@code Q_ℓ ∪ P}, NTT form) is left unchanged; the temporaries come from
     * the pool.
     */
    void modDownInto(long[][] x, long[] e, int level, long[][] addend, long[][] out, LimbParallelism par) {
        int q = level + 1;
        long[][] pPart = new long[alpha][];
        par.forEach(alpha, j -> {
            int prime = qCount + j;
            long[] a = pool.take();
            System.arraycopy(x[q + j], 0, a, 0, a.length);
            ring.ntt(prime).inverse(a);
            if (e != null) {
                addSmall(a, e, ring.modulus(prime), a);
            }
            pPart[j] = a;
        });
        long[][] conv = pool.take(q);
        BasisConverter down = downConverter(level);
        long[][] work = pool.take(down.workLimbs());
        down.convertCenteredInto(pPart, conv, work); // y ≡ x + e (mod P), |y| ≤ P/2
        pool.give(work);
        pool.give(pPart);
        par.forEach(q, i -> {
            long[] c = conv[i];
            if (e != null) {
                // x_i - NTT(y - e) = (x + e)_i - NTT(y)
                subSmall(c, e, ring.modulus(i), c);
            }
            ring.ntt(i).forward(c);
            if (addend == null) {
                ring.ops(i).sub(x[i], c, out[i]);
                ring.ops(i).multiplyScalar(out[i], pInvModQ[i], out[i]);
            } else {
                ring.ops(i).sub(x[i], c, c);
                ring.ops(i).multiplyScalar(c, pInvModQ[i], c);
                ring.ops(i).add(addend[i], c, out[i]);
            }
        });
        pool.give(conv);
    }

    /** {@code out = a + e mod m} for canonical residues a and small signed e ({@code |e| < m}). */
    private static void addSmall(long[] a, long[] e, Modulus m, long[] out) {
        long q = m.value();
        for (int t = 0; t < a.length; t++) {
            long r = a[t] + e[t];
            out[t] = r < 0 ? r + q : r >= q ? r - q : r;
        }
    }

    /** {@code out = a - e mod m} for canonical residues a and small signed e ({@code |e| < m}). */
    private static void subSmall(long[] a, long[] e, Modulus m, long[] out) {
        long q = m.value();
        for (int t = 0; t < a.length; t++) {
            long r = a[t] - e[t];
            out[t] = r < 0 ? r + q : r >= q ? r - q : r;
        }
    }

    /**
     * Full key switch of c (NTT over {@code Q_ℓ}), added to {@code (add0, add1)}:
     * {@code (out0, out1) = (add0 + d0, add1 + d1)} over {@code Q_ℓ} with {@code d0 + d1·s ≈ c·s'}
     * (outputs may be the addends). Temporaries come from the pool and go back to it.
     */
    void switchKeyAdd(long[][] c, int level, SwitchingKey key, long[][] add0, long[][] add1, long[][] out0, long[][] out1,
            LimbParallelism par) {
        long[][][] digits = decompose(c, level, par);
        long[][][] acc = applyKey(digits, key, level, null, par);
        pool.give(digits);
        modDownInto(acc[0], null, level, add0, out0, par);
        modDownInto(acc[1], null, level, add1, out1, par);
        pool.give(acc);
    }
}
