package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.ciphernet.ntt.internal.NttTables;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NttTest {

    /** Direct evaluation of a at psi^(2*bitrev(j)+1): what forward() must put at index j. */
    private static long evaluate(long[] a, long psi, int j, Modulus m) {
        int n = a.length;
        int logN = Integer.numberOfTrailingZeros(n);
        long x = ModArith.pow(psi, 2L * NttTables.bitReverse(j, logN) + 1, m);
        long acc = 0;
        for (int i = n - 1; i >= 0; i--) {
            acc = ModArith.add(ModArith.mulMod(acc, x, m), a[i], m.value());
        }
        return acc;
    }

    /** Schoolbook product in Z_q[X]/(X^n+1). */
    private static long[] negacyclicProduct(long[] a, long[] b, Modulus m) {
        int n = a.length;
        long q = m.value();
        long[] c = new long[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                long p = ModArith.mulMod(a[i], b[j], m);
                int k = i + j;
                if (k < n) {
                    c[k] = ModArith.add(c[k], p, q);
                } else {
                    c[k - n] = ModArith.sub(c[k - n], p, q);
                }
            }
        }
        return c;
    }

    static List<Backend> backends() {
        return Backend.VECTOR.isAvailable() ? List.of(Backend.SCALAR, Backend.VECTOR) : List.of(Backend.SCALAR);
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 11, 12, 13, 14, 15, 16})
    void forwardMatchesDirectEvaluationAndRoundTrips(int logN) {
        int n = 1 << logN;
        SplittableRandom rnd = new SplittableRandom(1000 + logN);
        for (long q : TestPrimes.edgePrimes(n)) {
            Modulus m = Modulus.of(q);
            long[][] inputs = {
                TestPrimes.random(rnd, n, q), new long[n], TestPrimes.filled(n, q - 1), TestPrimes.filled(n, 1)
            };
            for (long[] input : inputs) {
                long[] expectedForward = null;
                for (Backend backend : backends()) {
                    Ntt ntt = Ntt.of(n, m, backend);
                    long[] a = input.clone();
                    ntt.forward(a);
                    // spot-check against direct evaluation (an O(n) reference per index)
                    for (int probe = 0; probe < 4; probe++) {
                        int j = probe == 0 ? 0 : probe == 1 ? n - 1 : rnd.nextInt(n);
                        assertEquals(evaluate(input, ntt.root(), j, m), a[j],
                                () -> backend + " n=" + n + " q=" + q + " index " + j);
                    }
                    if (expectedForward == null) {
                        expectedForward = a.clone();
                    } else {
                        assertArrayEquals(expectedForward, a, backend + " differs from scalar, n=" + n + " q=" + q);
                    }
                    ntt.inverse(a);
                    assertArrayEquals(input, a, backend + " round trip n=" + n + " q=" + q);
                }
            }
        }
    }

    @Test
    void everyForwardOutputMatchesDirectEvaluationAtSmallDegree() {
        int n = 1 << 10;
        SplittableRandom rnd = new SplittableRandom(7);
        for (long q : TestPrimes.edgePrimes(n)) {
            Modulus m = Modulus.of(q);
            long[] input = TestPrimes.random(rnd, n, q);
            for (Backend backend : backends()) {
                Ntt ntt = Ntt.of(n, m, backend);
                long[] a = input.clone();
                ntt.forward(a);
                for (int j = 0; j < n; j++) {
                    assertEquals(evaluate(input, ntt.root(), j, m), a[j], backend + " q=" + q + " j=" + j);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {10, 11})
    void pointwiseProductIsNegacyclicConvolution(int logN) {
        int n = 1 << logN;
        SplittableRandom rnd = new SplittableRandom(logN);
        for (long q : TestPrimes.edgePrimes(n)) {
            Modulus m = Modulus.of(q);
            long[] a = TestPrimes.random(rnd, n, q);
            long[] b = TestPrimes.random(rnd, n, q);
            long[] expected = negacyclicProduct(a, b, m);
            for (Backend backend : backends()) {
                Ntt ntt = Ntt.of(n, m, backend);
                LimbOps ops = LimbOps.of(m, backend);
                long[] x = a.clone();
                long[] y = b.clone();
                ntt.forward(x);
                ntt.forward(y);
                ops.multiply(x, y, x);
                ntt.inverse(x);
                assertArrayEquals(expected, x, backend + " n=" + n + " q=" + q);
            }
        }
    }

    @Test
    void degree2To17AllWork() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int logN = 1; logN <= 17; logN++) {
            int n = 1 << logN;
            long q = Primes.generate(50, n, 1, List.of()).get(0);
            for (Backend backend : backends()) {
                Ntt ntt = Ntt.of(n, Modulus.of(q), backend);
                long[] input = TestPrimes.random(rnd, n, q);
                long[] a = input.clone();
                ntt.forward(a);
                assertEquals(evaluate(input, ntt.root(), n / 2, Modulus.of(q)), a[n / 2]);
                ntt.inverse(a);
                assertArrayEquals(input, a, backend + " n=" + n);
            }
        }
    }

    @Test
    void vectorBackendIsSelectableOrReportedMissing() {
        if (Backend.VECTOR.isAvailable()) {
            assertEquals(Backend.VECTOR, Ntt.of(1024, Modulus.of(12289), Backend.VECTOR).backend());
        } else {
            assertThrows(IllegalStateException.class, () -> Ntt.of(1024, Modulus.of(12289), Backend.VECTOR));
        }
    }

    @Test
    void vectorBackendIsPreferredWhenTheModuleIsPresent() {
        assumeTrue(ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        assumeTrue(System.getProperty("ciphernet.backend") == null);
        assertEquals(Backend.VECTOR, Backend.preferred());
    }

    @Test
    void badArgumentsAreRejected() {
        Modulus m = Modulus.of(12289); // 12289 = 3*2^12 + 1
        assertThrows(IllegalArgumentException.class, () -> Ntt.of(1000, m));
        assertThrows(IllegalArgumentException.class, () -> Ntt.of(1 << 13, m)); // not 1 mod 2^14
        assertThrows(IllegalArgumentException.class, () -> Ntt.of(1024, Modulus.of(12289 * 2049L))); // composite
        Ntt ntt = Ntt.of(1024, m);
        assertThrows(IllegalArgumentException.class, () -> ntt.forward(new long[512]));
    }
}
