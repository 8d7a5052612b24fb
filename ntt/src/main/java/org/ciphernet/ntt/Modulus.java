package org.ciphernet.ntt;

import java.math.BigInteger;

/**
 * A modulus {@code 2 <= q < 2^61} with the constants its fast reductions need.
 *
 * <p>Immutable and shareable. Two moduli are equal when their values are equal.
 *
 * @param value       the modulus q
 * @param barrettHi   high 64 bits of {@code floor(2^128 / q)}
 * @param barrettLo   low 64 bits of {@code floor(2^128 / q)}
 */
public record Modulus(long value, long barrettHi, long barrettLo) {

    /** Largest supported modulus bit length: every modulus is below {@code 2^MAX_BITS}. */
    public static final int MAX_BITS = 61;

    /**
     * Largest bit length handled by the double-precision (FMA) fast path: moduli below
     * {@code 2^DOUBLE_PATH_MAX_BITS}. Larger moduli use the exact 64-bit scalar path.
     */
    public static final int DOUBLE_PATH_MAX_BITS = 50;

    /** Validates the record components; use {@link #of(long)} to build one. */
    public Modulus {
        if (value < 2 || value >= (1L << MAX_BITS)) {
            throw new IllegalArgumentException(
                    "modulus " + value + " outside the supported range [2, 2^" + MAX_BITS + ")");
        }
        BigInteger r = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(value));
        if (r.shiftRight(64).longValue() != barrettHi || r.longValue() != barrettLo) {
            throw new IllegalArgumentException("Barrett constants do not match modulus " + value);
        }
    }

    /** The modulus {@code q} with its precomputed constants. */
    public static Modulus of(long q) {
        if (q < 2 || q >= (1L << MAX_BITS)) {
            throw new IllegalArgumentException(
                    "modulus " + q + " outside the supported range [2, 2^" + MAX_BITS + ")");
        }
        BigInteger r = BigInteger.ONE.shiftLeft(128).divide(BigInteger.valueOf(q));
        return new Modulus(q, r.shiftRight(64).longValue(), r.longValue());
    }

    /** Bit length of q. */
    public int bits() {
        return 64 - Long.numberOfLeadingZeros(value);
    }

    /** Whether the double-precision fast path applies (q below {@code 2^DOUBLE_PATH_MAX_BITS}). */
    public boolean fitsDoublePath() {
        return value < (1L << DOUBLE_PATH_MAX_BITS);
    }

    @Override
    public String toString() {
        return "Modulus[" + value + " (" + bits() + " bits)]";
    }
}
