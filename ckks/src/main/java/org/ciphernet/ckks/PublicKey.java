package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * The public encryption key {@code (b, a) = (-a·s + e, a)} over all primes of Q and P (NTT form,
 * limb i for prime i): {@link Encryptor} encrypts modulo {@code Q_ℓ·P} and divides by P, which
 * divides the key's noise by P too. The uniform {@code a} is regenerated from {@link #seed()} when
 * the key is transferred seed-compressed. Immutable and shareable between threads.
 */
public final class PublicKey {
    private final RnsPoly b;
    private final RnsPoly a;
    private final byte[] seed;
    private final long fingerprint;

    PublicKey(RnsPoly b, RnsPoly a, byte[] seed, long fingerprint) {
        this.b = b;
        this.a = a;
        this.seed = seed.clone();
        this.fingerprint = fingerprint;
    }

    RnsPoly b() {
        return b;
    }

    RnsPoly a() {
        return a;
    }

    /** The 32-byte seed of the uniform half (public information). */
    public byte[] seed() {
        return seed.clone();
    }

    /** Memory of the key in bytes (both halves, as held in memory). */
    public long sizeInBytes() {
        return 2L * b.limbCount() * b.degree() * Long.BYTES;
    }

    /** The fingerprint of the parameters the key was made under. */
    public long fingerprint() {
        return fingerprint;
    }
}
