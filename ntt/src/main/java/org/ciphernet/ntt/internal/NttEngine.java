package org.ciphernet.ntt.internal;

/**
 * One implementation of the negacyclic NTT for a fixed ring degree and prime. Both methods work
 * in place on canonical residues in {@code [0, q)} and leave canonical residues.
 */
public interface NttEngine {
    /** Forward transform: natural-order coefficients in, bit-reversed evaluations out. */
    void forward(long[] a);

    /** Inverse transform: bit-reversed evaluations in, natural-order coefficients out. */
    void inverse(long[] a);
}
