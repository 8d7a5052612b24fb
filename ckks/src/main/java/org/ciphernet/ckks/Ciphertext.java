package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * An encryption of a message: polynomials {@code (c0, c1)} (or {@code (c0, c1, c2)} after a product
 * before relinearization) in NTT form over the primes of Q at a level, and the scale. Decrypts to
 * {@code c0 + c1·s (+ c2·s²)}. Immutable and shareable between threads: every operation returns a
 * new ciphertext.
 */
public final class Ciphertext {
    private final RnsPoly[] parts;
    private final int level;
    private final double scale;
    private final long fingerprint;
    /** Seed of c1 for a fresh secret-key encryption (c1 uniform from it), else null. */
    private final byte[] c1Seed;

    Ciphertext(RnsPoly[] parts, int level, double scale, long fingerprint) {
        this(parts, level, scale, fingerprint, null);
    }

    Ciphertext(RnsPoly[] parts, int level, double scale, long fingerprint, byte[] c1Seed) {
        this.parts = parts;
        this.level = level;
        this.scale = scale;
        this.fingerprint = fingerprint;
        this.c1Seed = c1Seed == null ? null : c1Seed.clone();
    }

    /**
     * Whether this is a fresh secret-key encryption whose uniform part c1 can be regenerated from a
     * seed, so that {@link Serialization} can write it in about half the bytes.
     */
    public boolean isSeeded() {
        return c1Seed != null;
    }

    byte[] c1Seed() {
        return c1Seed.clone();
    }

    /** Number of polynomials: 2, or 3 after a product that was not relinearized. */
    public int size() {
        return parts.length;
    }

    /** The level: the ciphertext lives modulo {@code q_0 · … · q_level}. */
    public int level() {
        return level;
    }

    /** The scale Δ of the encrypted message. */
    public double scale() {
        return scale;
    }

    /** The fingerprint of the parameters it was made under. */
    public long fingerprint() {
        return fingerprint;
    }

    /** Part i (internal; never modified after construction). */
    RnsPoly part(int i) {
        return parts[i];
    }

    @Override
    public String toString() {
        return "Ciphertext[size=" + parts.length + ", level=" + level + ", log2 scale="
                + String.format("%.2f", Math.log(scale) / Math.log(2)) + "]";
    }
}
