package org.ciphernet.ntt;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Primes and random data shared by the tests. */
final class TestPrimes {
    private TestPrimes() {}

    /**
     * NTT primes for degree n covering the edge cases: the smallest prime 1 mod 2n, 30 bits, the
     * closest to 2^30 from above (the batched networks' scale primes), the largest below 2^32 (top of
     * the split-weight sums), 40 bits, the largest below 2^50 (top of the double path), the smallest at or above 2^50
     * (bottom of the 64-bit path), 55 bits, and the largest below 2^61.
     */
    static List<Long> edgePrimes(int n) {
        List<Long> out = new ArrayList<>();
        long step = 2L * n;
        long c = step + 1;
        while (!Primes.isPrime(c)) {
            c += step;
        }
        out.add(c);
        out.add(Primes.generate(30, n, 1, List.of()).get(0));
        long above30 = (1L << 30) + 1;
        while (!Primes.isPrime(above30)) {
            above30 += step;
        }
        out.add(above30);
        out.add(Primes.generate(32, n, 1, List.of()).get(0));
        out.add(Primes.closestTo(40, n, 1, List.of()).get(0));
        out.add(Primes.generate(50, n, 1, List.of()).get(0));
        long d = (1L << 50) + 1;
        while (!Primes.isPrime(d)) {
            d += step;
        }
        out.add(d);
        out.add(Primes.generate(55, n, 1, List.of()).get(0));
        out.add(Primes.generate(61, n, 1, List.of()).get(0));
        return out;
    }

    static long[] random(SplittableRandom rnd, int n, long q) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = rnd.nextLong(q);
        }
        return a;
    }

    static long[] filled(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
