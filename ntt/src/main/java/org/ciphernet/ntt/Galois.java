package org.ciphernet.ntt;

import org.ciphernet.ntt.internal.NttTables;

/**
 * Galois automorphisms {@code X -> X^k} (k odd) of {@code Z_q[X]/(X^n + 1)}, in coefficient form
 * and as a permutation of NTT-form values, and the Galois elements of slot rotations.
 *
 * <p>In coefficient form, coefficient i moves to {@code i*k mod 2n}, negated when that index is n
 * or more (because {@code X^n = -1}). In NTT form (bit-reversed evaluations, see {@link Ntt}) the
 * automorphism only permutes: index j holds {@code a(psi^(2*bitrev(j)+1))}, and
 * {@code sigma_k(a)(psi^e) = a(psi^(k*e))}, so output j takes input
 * {@code bitrev(((k*(2*bitrev(j)+1) mod 2n) - 1) / 2)}. The permutation does not depend on q.
 */
public final class Galois {
    private Galois() {}

    /** The Galois element {@code 5^step mod 2n} of a rotation by {@code step} slots (negative steps rotate right). */
    public static int rotationElement(int step, int n) {
        checkDegree(n);
        long twoN = 2L * n;
        int slots = n / 2;
        long e = Math.floorMod(step, slots);
        long g = 1;
        long base = 5;
        while (e != 0) {
            if ((e & 1) != 0) {
                g = g * base % twoN;
            }
            base = base * base % twoN;
            e >>= 1;
        }
        return (int) g;
    }

    /** The Galois element of complex conjugation of the slots: {@code 2n - 1}. */
    public static int conjugationElement(int n) {
        checkDegree(n);
        return 2 * n - 1;
    }

    /** {@code out = a(X^k)} in coefficient form; {@code out} must not be {@code a}. */
    public static void applyCoefficients(long[] a, int k, Modulus q, long[] out) {
        int n = a.length;
        checkDegree(n);
        checkElement(k, n);
        if (out.length != n || out == a) {
            throw new IllegalArgumentException("output must be a distinct array of length " + n);
        }
        long qv = q.value();
        int mask = 2 * n - 1;
        long idx = 0;
        for (int i = 0; i < n; i++) {
            int t = (int) (idx & mask);
            if (t < n) {
                out[t] = a[i];
            } else {
                out[t - n] = a[i] == 0 ? 0 : qv - a[i];
            }
            idx += k;
        }
    }

    /** The NTT-domain permutation of {@code X -> X^k}: {@code out[j] = a[perm[j]]}. */
    public static int[] nttPermutation(int k, int n) {
        checkDegree(n);
        checkElement(k, n);
        int logN = Integer.numberOfTrailingZeros(n);
        int mask = 2 * n - 1;
        int[] perm = new int[n];
        for (int j = 0; j < n; j++) {
            long e = 2L * NttTables.bitReverse(j, logN) + 1;
            int ek = (int) ((e * k) & mask);
            perm[j] = NttTables.bitReverse((ek - 1) >>> 1, logN);
        }
        return perm;
    }

    /** {@code out[j] = a[perm[j]]}: applies an NTT-domain automorphism; {@code out} must not be {@code a}. */
    public static void applyNtt(long[] a, int[] perm, long[] out) {
        if (a.length != perm.length || out.length != perm.length || out == a) {
            throw new IllegalArgumentException("permutation, input and a distinct output must have equal lengths");
        }
        for (int j = 0; j < perm.length; j++) {
            out[j] = a[perm[j]];
        }
    }

    private static void checkDegree(int n) {
        if (n < 2 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two >= 2");
        }
    }

    private static void checkElement(int k, int n) {
        if ((k & 1) == 0 || k <= 0 || k >= 2 * n) {
            throw new IllegalArgumentException("Galois element " + k + " is not odd in (0, 2n = " + 2 * n + ")");
        }
    }
}
