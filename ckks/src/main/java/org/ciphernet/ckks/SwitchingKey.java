package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * A hybrid key-switching key from a key s' to the secret s: per digit d of Q,
 * {@code (b_d, a_d) = (-a_d·s + e_d + P·s'·g_d, a_d)} over all primes of Q and P (NTT form), where
 * {@code g_d} is 1 modulo the primes of digit d and 0 modulo the others. The uniform halves
 * {@code a_d} are drawn in order from a generator seeded by {@link #seed()}.
 *
 * <p>A key made for ciphertexts up to level {@link #maxLevel()} below the top holds only the
 * digits and primes such ciphertexts use: those of {@code Q_maxLevel} and P. Deep networks rotate at
 * low levels only in their last layers, so their keys can be a fraction of the full size.
 */
final class SwitchingKey {
    private final RnsPoly[] b;
    private final RnsPoly[] a;
    private final byte[] seed;
    private final long fingerprint;
    private final int maxLevel;
    private final int specialOffset;
    private final int qCount;

    /** Polynomials over {@code Q_maxLevel ∪ P}: limb i for prime i ≤ maxLevel, then P's primes. */
    SwitchingKey(RnsPoly[] b, RnsPoly[] a, byte[] seed, long fingerprint, int maxLevel, int qCount) {
        this.b = b;
        this.a = a;
        this.seed = seed.clone();
        this.fingerprint = fingerprint;
        this.maxLevel = maxLevel;
        this.qCount = qCount;
        this.specialOffset = maxLevel + 1 - qCount;
    }

    /** The highest ciphertext level this key can switch. */
    public int maxLevel() {
        return maxLevel;
    }

    /** The limb of b_d for a prime index of the context (a Q prime ≤ maxLevel or a P prime). */
    long[] bLimb(int d, int prime) {
        return b[d].limb(prime < qCount ? prime : prime + specialOffset);
    }

    /** The limb of a_d for a prime index of the context. */
    long[] aLimb(int d, int prime) {
        return a[d].limb(prime < qCount ? prime : prime + specialOffset);
    }

    /** Number of digits (dnum). */
    public int digits() {
        return b.length;
    }

    RnsPoly b(int d) {
        return b[d];
    }

    /** The 32-byte seed of the uniform halves (public information). */
    public byte[] seed() {
        return seed.clone();
    }

    public long fingerprint() {
        return fingerprint;
    }

    /** Bytes of key material held in memory (both halves). */
    public long sizeInBytes() {
        long s = 0;
        for (int d = 0; d < b.length; d++) {
            s += 2L * b[d].limbCount() * b[d].degree() * Long.BYTES;
        }
        return s;
    }
}
