package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PrimesTest {

    @Test
    void agreesWithBigIntegerOnRandomAndSpecialInputs() {
        SplittableRandom rnd = new SplittableRandom(21);
        for (int t = 0; t < 100_000; t++) {
            long n = switch (t % 4) {
                case 0 -> rnd.nextLong();                      // full unsigned 64-bit range
                case 1 -> rnd.nextLong(1L << 62) | 1;          // odd, large
                case 2 -> rnd.nextLong(1 << 20);               // small
                default -> (rnd.nextLong(1L << 45) * 2 * 65536) + 1; // NTT-shaped candidates
            };
            boolean expected = new BigInteger(Long.toUnsignedString(n)).isProbablePrime(64);
            assertEquals(expected, Primes.isPrime(n), () -> "n = " + Long.toUnsignedString(n));
        }
    }

    @Test
    void knownHardCases() {
        // Carmichael numbers and strong pseudoprimes to several bases
        long[] composites = {
            561, 1105, 1729, 2047, 3215031751L, 2152302898747L, 3474749660383L, 341550071728321L,
            3825123056546413051L, 318665857834031151L, 7999252175582851L, 585226005592931977L,
            -1L /* 2^64-1 */, (1L << 62) + 1, 4, 0, 1
        };
        for (long c : composites) {
            assertFalse(Primes.isPrime(c), () -> Long.toUnsignedString(c));
        }
        long[] primes = {2, 3, 5, 53, 12289, (1L << 61) - 1, -59L /* 2^64-59 */, 9223372036854775783L, 4611686018427387847L};
        for (long p : primes) {
            assertTrue(Primes.isPrime(p), () -> Long.toUnsignedString(p));
        }
    }

    @Test
    void generatedPrimesHaveTheRequestedShape() {
        for (int logN = 10; logN <= 17; logN++) {
            int n = 1 << logN;
            for (int bits : new int[] {30, 40, 50, 60, 61}) {
                List<Long> ps = Primes.generate(bits, n, 3, List.of());
                assertEquals(3, new HashSet<>(ps).size());
                for (long p : ps) {
                    assertTrue(Primes.isPrime(p));
                    assertEquals(1, p % (2L * n));
                    assertEquals(bits, 64 - Long.numberOfLeadingZeros(p));
                }
                assertEquals(ps, Primes.generate(bits, n, 3, List.of()), "deterministic");
            }
        }
        int n = 1 << 14;
        List<Long> first = Primes.generate(50, n, 2, List.of());
        List<Long> next = Primes.generate(50, n, 2, first);
        assertTrue(next.stream().noneMatch(first::contains), "exclusions respected");
    }

    @Test
    void closestPrimesAlternateAroundTheTarget() {
        int n = 1 << 14;
        List<Long> ps = Primes.closestTo(40, n, 6, List.of());
        long target = 1L << 40;
        long worst = 0;
        for (long p : ps) {
            assertTrue(Primes.isPrime(p));
            assertEquals(1, p % (2L * n));
            worst = Math.max(worst, Math.abs(p - target));
        }
        // no prime 1 mod 2n closer than the farthest chosen one was skipped
        for (long c = target - worst; c <= target + worst; c += 1) {
            if (c % (2L * n) == 1 && Primes.isPrime(c) && Math.abs(c - target) < worst) {
                assertTrue(ps.contains(c), "missed closer prime " + c);
            }
        }
        assertTrue(ps.stream().anyMatch(p -> p > target) && ps.stream().anyMatch(p -> p < target));
    }

    @Test
    void primitiveRootsHaveOrderExactly2n() {
        for (int logN = 1; logN <= 17; logN++) {
            int n = 1 << logN;
            long q = Primes.generate(50, n, 1, List.of()).get(0);
            Modulus m = Modulus.of(q);
            long psi = Primes.primitiveRoot2n(q, n);
            assertEquals(q - 1, ModArith.pow(psi, n, m), "psi^n = -1");
            assertEquals(psi, Primes.primitiveRoot2n(q, n), "deterministic");
        }
    }

    @Test
    void impossibleRequestsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Primes.generate(62, 1024, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Primes.generate(12, 1 << 12, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Primes.generate(20, 1 << 16, 1000, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Primes.generate(40, 1000, 1, List.of()));
        assertThrows(IllegalArgumentException.class, () -> Primes.primitiveRoot2n(12289, 1 << 13));
    }
}
