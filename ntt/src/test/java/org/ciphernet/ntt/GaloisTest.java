package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GaloisTest {

    /** Naive X -> X^k: a(X^k) reduced modulo X^n + 1, coefficient by coefficient. */
    private static long[] naive(long[] a, int k, long q) {
        int n = a.length;
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            long e = (long) i * k % (2L * n);
            if (e < n) {
                out[(int) e] = (out[(int) e] + a[i]) % q;
            } else {
                out[(int) (e - n)] = ((out[(int) (e - n)] - a[i]) % q + q) % q;
            }
        }
        return out;
    }

    @Test
    void nttPermutationEqualsCoefficientAutomorphism() {
        SplittableRandom rnd = new SplittableRandom(51);
        for (int logN = 10; logN <= 16; logN++) {
            int n = 1 << logN;
            long q = Primes.generate(50, n, 1, List.of()).get(0);
            Modulus m = Modulus.of(q);
            Ntt ntt = Ntt.of(n, m);
            long[] a = TestPrimes.random(rnd, n, q);
            int[] elements = {
                Galois.rotationElement(1, n), Galois.rotationElement(-1, n), Galois.rotationElement(n / 4 - 1, n),
                Galois.rotationElement(rnd.nextInt(n / 2), n), Galois.conjugationElement(n), 3, 1
            };
            for (int k : elements) {
                long[] coeff = new long[n];
                Galois.applyCoefficients(a, k, m, coeff);
                if (logN <= 12) {
                    assertArrayEquals(naive(a, k, q), coeff, "coefficient form, k=" + k);
                }
                long[] viaNtt = a.clone();
                ntt.forward(viaNtt);
                long[] permuted = new long[n];
                Galois.applyNtt(viaNtt, Galois.nttPermutation(k, n), permuted);
                ntt.forward(coeff);
                assertArrayEquals(coeff, permuted, "n=" + n + " k=" + k);
            }
        }
    }

    @Test
    void rotationElementsArePowersOfFive() {
        int n = 1 << 13;
        assertEquals(1, Galois.rotationElement(0, n));
        assertEquals(5, Galois.rotationElement(1, n));
        assertEquals(25, Galois.rotationElement(2, n));
        assertEquals(Galois.rotationElement(n / 2 - 1, n), Galois.rotationElement(-1, n));
        // composing elements composes rotations
        assertEquals(Galois.rotationElement(7, n),
                (int) ((long) Galois.rotationElement(3, n) * Galois.rotationElement(4, n) % (2 * n)));
    }

    @Test
    void badElementsAreRejected() {
        Modulus m = Modulus.of(12289);
        assertThrows(IllegalArgumentException.class, () -> Galois.applyCoefficients(new long[8], 2, m, new long[8]));
        assertThrows(IllegalArgumentException.class, () -> Galois.nttPermutation(17, 8));
        long[] a = new long[8];
        assertThrows(IllegalArgumentException.class, () -> Galois.applyCoefficients(a, 3, m, a));
    }
}
