package org.ciphernet.ckks;

import org.ciphernet.ring.RnsPoly;

/**
 * The secret key s: a ternary polynomial, held in NTT form over every prime of Q and P. Keep it
 * with the data owner. Its {@code toString} never shows key material.
 */
public final class SecretKey {
    private final RnsPoly s;
    private final long fingerprint;

    SecretKey(RnsPoly s, long fingerprint) {
        this.s = s;
        this.fingerprint = fingerprint;
    }

    RnsPoly poly() {
        return s;
    }

    /** The fingerprint of the parameters it was made under. */
    public long fingerprint() {
        return fingerprint;
    }

    @Override
    public String toString() {
        return "SecretKey[redacted]";
    }
}
