package org.ciphernet.ring;

import java.util.Arrays;

/**
 * A polynomial of {@code Z[X]/(X^N + 1)} held by its residues modulo a set of primes of a
 * {@link RingContext}: {@code limb(i)} holds the N canonical residues modulo the context prime
 * {@code primeIndex(i)}, in coefficient or NTT form.
 *
 * <p>This is a mutable working buffer for the layers above (ciphertexts and keys wrap it and do not
 * expose it). Not thread-safe.
 */
public final class RnsPoly {
    private final int n;
    private final int[] primes;
    private final long[][] limbs;
    private boolean ntt;

    /** A zero polynomial over the given context primes (indices in increasing order, no repeats). */
    public RnsPoly(int n, int[] primes, boolean ntt) {
        this(n, primes.clone(), new long[primes.length][n], ntt);
        for (int i = 1; i < primes.length; i++) {
            if (primes[i] <= primes[i - 1]) {
                throw new IllegalArgumentException("prime indices must increase: " + Arrays.toString(primes));
            }
        }
    }

    /** Wraps existing limbs (not copied). */
    public RnsPoly(int n, int[] primes, long[][] limbs, boolean ntt) {
        if (limbs.length != primes.length) {
            throw new IllegalArgumentException(limbs.length + " limbs for " + primes.length + " primes");
        }
        for (long[] l : limbs) {
            if (l.length != n) {
                throw new IllegalArgumentException("limb of length " + l.length + " in a ring of degree " + n);
            }
        }
        this.n = n;
        this.primes = primes;
        this.limbs = limbs;
        this.ntt = ntt;
    }

    public int degree() {
        return n;
    }

    public int limbCount() {
        return limbs.length;
    }

    /** The context index of the prime of limb i. */
    public int primeIndex(int i) {
        return primes[i];
    }

    /** Whether both polynomials are over the same primes in the same order. */
    public boolean sameBasis(RnsPoly other) {
        return n == other.n && Arrays.equals(primes, other.primes);
    }

    /** The residues modulo the prime of limb i (the live array). */
    public long[] limb(int i) {
        return limbs[i];
    }

    /** All limbs (the live arrays). */
    public long[][] limbs() {
        return limbs;
    }

    public boolean isNtt() {
        return ntt;
    }

    /** Marks the representation (callers that transform limbs themselves keep this in step). */
    public void setNtt(boolean ntt) {
        this.ntt = ntt;
    }

    /** A deep copy. */
    public RnsPoly copy() {
        long[][] c = new long[limbs.length][];
        for (int i = 0; i < c.length; i++) {
            c[i] = limbs[i].clone();
        }
        return new RnsPoly(n, primes.clone(), c, ntt);
    }

    /** A deep copy of the first {@code count} limbs (dropping levels keeps the lowest primes). */
    public RnsPoly copyPrefix(int count) {
        if (count < 1 || count > limbs.length) {
            throw new IllegalArgumentException("cannot keep " + count + " of " + limbs.length + " limbs");
        }
        long[][] c = new long[count][];
        for (int i = 0; i < count; i++) {
            c[i] = limbs[i].clone();
        }
        return new RnsPoly(n, Arrays.copyOf(primes, count), c, ntt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RnsPoly p && ntt == p.ntt && sameBasis(p) && Arrays.deepEquals(limbs, p.limbs);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(limbs) * 31 + Arrays.hashCode(primes);
    }

    @Override
    public String toString() {
        return "RnsPoly[N=" + n + ", primes=" + Arrays.toString(primes) + (ntt ? ", NTT]" : ", coefficients]");
    }
}
