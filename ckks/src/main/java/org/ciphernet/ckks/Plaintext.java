package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * An encoded message: a polynomial in NTT form over the primes of Q at a level, with its scale,
 * and, when {@link #isExtended() extended}, also its residues modulo the special primes P (for
 * hoisted products). Immutable: made by {@link Encoder} and {@link Decryptor}; shareable between
 * threads.
 */
public final class Plaintext {
    private final RnsPoly poly;
    private final int level;
    private final double scale;
    private final long fingerprint;
    /** Residues modulo P's primes (NTT form), one array per special prime, or null. */
    private final long[][] special;

    Plaintext(RnsPoly poly, int level, double scale, long fingerprint) {
        this(poly, null, level, scale, fingerprint);
    }

    Plaintext(RnsPoly poly, long[][] special, int level, double scale, long fingerprint) {
        this.poly = poly;
        this.special = special;
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

    /** Whether it also holds its residues modulo the special primes ({@link Encoder#encodeExtended}). */
    public boolean isExtended() {
        return special != null;
    }

    /** The limbs of P, or null when not extended (internal; never modified). */
    long[][] specialLimbs() {
        return special;
    }

    /** The polynomial over Q's primes at the level (internal; never modified after construction). */
    RnsPoly poly() {
        return poly;
    }

    @Override
    public String toString() {
        return "Plaintext[level=" + level + (special != null ? ", extended" : "") + ", log2 scale=" + String.format("%.2f", Math.log(scale) / Math.log(2)) + "]";
    }
}
