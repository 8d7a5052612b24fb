package org.ciphernet.ntt.internal;

import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Primes;

/**
 * Twiddle tables of the negacyclic NTT of degree n modulo q, shared by every engine.
 *
 * <p>{@code psiRev[k] = psi^bitrev(k)} and {@code psiInvRev[k] = psi^-bitrev(k)} for a primitive
 * 2n-th root psi, so the forward transform of a natural-order polynomial {@code a} stores
 * {@code a(psi^(2*bitrev(j)+1))} at index j.
 */
public final class NttTables {
    public final int n;
    public final int logN;
    public final Modulus modulus;
    public final long psi;
    public final long[] psiRev;
    public final long[] psiRevShoup;
    public final long[] psiInvRev;
    public final long[] psiInvRevShoup;
    public final long nInv;
    public final long nInvShoup;
    /** {@code psiInvRev[1] * nInv}: the twiddle of the last inverse stage with 1/n folded in. */
    public final long lastInvTimesNInv;
    public final long lastInvTimesNInvShoup;

    public NttTables(int n, Modulus modulus) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two >= 2");
        }
        long q = modulus.value();
        if ((q - 1) % (2L * n) != 0) {
            throw new IllegalArgumentException("modulus " + q + " is not 1 mod 2n = " + 2L * n
                    + ": no negacyclic NTT of degree " + n);
        }
        this.n = n;
        this.logN = Integer.numberOfTrailingZeros(n);
        this.modulus = modulus;
        this.psi = Primes.primitiveRoot2n(q, n);
        long psiInv = ModArith.inverse(psi, modulus);
        psiRev = new long[n];
        psiInvRev = new long[n];
        psiRevShoup = new long[n];
        psiInvRevShoup = new long[n];
        long p = 1;
        long pi = 1;
        for (int i = 0; i < n; i++) {
            int r = bitReverse(i, logN);
            psiRev[r] = p;
            psiInvRev[r] = pi;
            p = ModArith.mulMod(p, psi, modulus);
            pi = ModArith.mulMod(pi, psiInv, modulus);
        }
        for (int i = 0; i < n; i++) {
            psiRevShoup[i] = ModArith.shoup(psiRev[i], modulus);
            psiInvRevShoup[i] = ModArith.shoup(psiInvRev[i], modulus);
        }
        nInv = ModArith.inverse(n, modulus);
        nInvShoup = ModArith.shoup(nInv, modulus);
        lastInvTimesNInv = ModArith.mulMod(psiInvRev[1], nInv, modulus);
        lastInvTimesNInvShoup = ModArith.shoup(lastInvTimesNInv, modulus);
    }

    /** Reverses the low {@code bits} bits of {@code i}. */
    public static int bitReverse(int i, int bits) {
        return bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
    }
}
