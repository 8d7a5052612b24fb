package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * A hybrid key-switching key from a key s' to the secret s: per digit d of Q,
 * {@code (b_d, a_d) = (-a_d·s + e_d + P·s'·g_d, a_d)} over all primes of Q and P (NTT form), where
 * {@code g_d} is 1 modulo the primes of digit d and 0 modulo the others. The uniform halves
 * {@code a_d} are drawn in order from a generator seeded by {@link #seed()}.
 */
public final class SwitchingKey {
    private final RnsPoly[] b;
    private final RnsPoly[] a;
    private final byte[] seed;
    private final long fingerprint;

    SwitchingKey(RnsPoly[] b, RnsPoly[] a, byte[] seed, long fingerprint) {
        this.b = b;
        this.a = a;
        this.seed = seed.clone();
        this.fingerprint = fingerprint;
    }

    /** Number of digits (dnum). */
    public int digits() {
        return b.length;
    }

    RnsPoly b(int d) {
        return b[d];
    }

    RnsPoly a(int d) {
        return a[d];
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
