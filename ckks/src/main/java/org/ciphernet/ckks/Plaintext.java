package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * An encoded message: a polynomial in NTT form over the primes of Q at a level, with its scale.
 * Immutable: made by {@link Encoder} and {@link Decryptor}; shareable between threads.
 */
public final class Plaintext {
    private final RnsPoly poly;
    private final int level;
    private final double scale;
    private final long fingerprint;

    Plaintext(RnsPoly poly, int level, double scale, long fingerprint) {
        this.poly = poly;
        this.level = level;
        this.scale = scale;
        this.fingerprint = fingerprint;
    }

    /** The level (number of primes minus one). */
    public int level() {
        return level;
    }

    /** The scale Δ: the encoded polynomial is {@code round(Δ · message)}. */
    public double scale() {
        return scale;
    }

    /** The fingerprint of the parameters it was made under. */
    public long fingerprint() {
        return fingerprint;
    }

    /** The polynomial (internal; never modified after construction). */
    RnsPoly poly() {
        return poly;
    }

    @Override
    public String toString() {
        return "Plaintext[level=" + level + ", log2 scale=" + String.format("%.2f", Math.log(scale) / Math.log(2)) + "]";
    }
}
