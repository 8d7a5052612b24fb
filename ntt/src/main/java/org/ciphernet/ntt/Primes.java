package org.ciphernet.ntt;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * NTT-friendly primes: primality testing, prime generation with {@code q ≡ 1 (mod 2N)}, and
 * primitive roots of unity.
 *
 * <p>All generation is deterministic: the same request always returns the same primes.
 */
public final class Primes {
    /**
     * Miller–Rabin witnesses that decide primality for every unsigned 64-bit integer (Jim
     * Sinclair's set of seven bases).
     */
    private static final long[] WITNESSES = {2, 325, 9375, 28178, 450775, 9780504, 1795265022};

    private static final int[] SMALL_PRIMES = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47};

    private Primes() {}

    /**
     * Deterministic primality test, correct for every 64-bit input read as an unsigned integer.
     * Uses trial division by small primes, then Miller–Rabin with a witness set proven sufficient
     * below 2^64, computed in Montgomery form with exact 128-bit products.
     */
    public static boolean isPrime(long n) {
        if (Long.compareUnsigned(n, 2) < 0) {
            return false;
        }
        for (int p : SMALL_PRIMES) {
            if (n == p) {
                return true;
            }
            if (Long.remainderUnsigned(n, p) == 0) {
                return false;
            }
        }
        if (Long.compareUnsigned(n, 53 * 53) < 0) {
            return true;
        }
        Montgomery mont = new Montgomery(n);
        long d = n - 1;
        int s = Long.numberOfTrailingZeros(d);
        d >>>= s;
        long oneM = mont.one;
        long minusOneM = n - oneM; // Montgomery form of n-1
        for (long a : WITNESSES) {
            long base = Long.remainderUnsigned(a, n);
            if (base == 0) {
                continue;
            }
            long x = mont.pow(mont.toMontgomery(base), d);
            if (x == oneM || x == minusOneM) {
                continue;
            }
            boolean composite = true;
            for (int i = 1; i < s; i++) {
                x = mont.multiply(x, x);
                if (x == minusOneM) {
                    composite = false;
                    break;
                }
            }
            if (composite) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code count} distinct primes of exactly {@code bits} bits with {@code q ≡ 1 (mod 2n)},
     * taken downwards from {@code 2^bits}, skipping any in {@code exclude}. This is the sequence
     * SEAL-style chains use for the special and first primes.
     *
     * @param bits bit size, at most {@link Modulus#MAX_BITS}
     * @param n    ring degree (a power of two)
     * @throws IllegalArgumentException if fewer than {@code count} such primes exist
     */
    public static List<Long> generate(int bits, int n, int count, Collection<Long> exclude) {
        checkRequest(bits, n, count);
        long step = 2L * n;
        long lower = 1L << (bits - 1);
        Set<Long> skip = new HashSet<>(exclude);
        List<Long> out = new ArrayList<>(count);
        // largest candidate below 2^bits that is 1 mod 2n
        for (long c = (1L << bits) - step + 1; c > lower && out.size() < count; c -= step) {
            if (!skip.contains(c) && isPrime(c)) {
                out.add(c);
            }
        }
        if (out.size() < count) {
            throw new IllegalArgumentException("only " + out.size() + " primes of " + bits
                    + " bits are 1 mod " + step + "; " + count + " were requested");
        }
        return List.copyOf(out);
    }

    /**
     * {@code count} distinct primes {@code q ≡ 1 (mod 2n)} closest to {@code 2^log2Target},
     * alternating above and below the target, skipping any in {@code exclude}. CKKS uses these
     * as scaling primes so that each rescale divides by nearly the scale and the scale stays
     * close to {@code 2^log2Target}.
     *
     * @throws IllegalArgumentException if the request cannot be met below {@code 2^MAX_BITS}
     */
    public static List<Long> closestTo(int log2Target, int n, int count, Collection<Long> exclude) {
        checkRequest(log2Target, n, count);
        long step = 2L * n;
        long target = 1L << log2Target;
        Set<Long> skip = new HashSet<>(exclude);
        List<Long> out = new ArrayList<>(count);
        long up = target + 1;          // 1 mod 2n, first candidate above
        long down = target - step + 1; // first candidate below
        long limit = 1L << Modulus.MAX_BITS;
        while (out.size() < count) {
            boolean canUp = up < limit;
            boolean canDown = down > step;
            if (!canUp && !canDown) {
                throw new IllegalArgumentException("only " + out.size() + " primes near 2^"
                        + log2Target + " are 1 mod " + step + "; " + count + " were requested");
            }
            // take the nearer candidate first; ties go up
            boolean takeUp = canUp && (!canDown || (up - target) <= (target - down));
            long c = takeUp ? up : down;
            if (takeUp) {
                up += step;
            } else {
                down -= step;
            }
            if (!skip.contains(c) && isPrime(c)) {
                out.add(c);
            }
        }
        return List.copyOf(out);
    }

    /**
     * The smallest primitive {@code 2n}-th root of unity modulo the prime {@code q} (the "smallest"
     * makes the choice deterministic). Requires {@code q ≡ 1 (mod 2n)}.
     */
    public static long primitiveRoot2n(long q, int n) {
        Modulus m = Modulus.of(q);
        long order = 2L * n;
        if (Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("n = " + n + " is not a power of two");
        }
        if ((q - 1) % order != 0) {
            throw new IllegalArgumentException(q + " is not 1 mod " + order);
        }
        if (!isPrime(q)) {
            throw new IllegalArgumentException(q + " is not prime");
        }
        long cofactor = (q - 1) / order;
        long best = -1;
        for (long g = 2; g < q; g++) {
            long r = ModArith.pow(g, cofactor, m);
            // r has order dividing 2n; it is primitive iff r^n = -1
            if (ModArith.pow(r, n, m) == q - 1) {
                best = r;
                break;
            }
        }
        if (best < 0) {
            throw new IllegalStateException("no primitive root found modulo " + q);
        }
        // smallest among the primitive 2n-th roots: best^k for odd k
        long smallest = best;
        long sq = ModArith.mulMod(best, best, m);
        long r = best;
        for (long k = 1; k < order; k += 2) {
            if (r < smallest) {
                smallest = r;
            }
            r = ModArith.mulMod(r, sq, m);
        }
        return smallest;
    }

    private static void checkRequest(int bits, int n, int count) {
        if (bits < 2 || bits > Modulus.MAX_BITS) {
            throw new IllegalArgumentException("prime size " + bits + " bits outside [2, " + Modulus.MAX_BITS + "]");
        }
        if (n < 1 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("ring degree " + n + " is not a power of two");
        }
        if (count < 0) {
            throw new IllegalArgumentException("negative prime count " + count);
        }
        if ((2L * n) >= (1L << (bits - 1))) {
            throw new IllegalArgumentException("primes of " + bits + " bits cannot be 1 mod " + 2L * n);
        }
    }

    /** Montgomery arithmetic modulo an odd unsigned 64-bit n, with R = 2^64. */
    private static final class Montgomery {
        final long n;
        final long nPrime; // -n^{-1} mod 2^64
        final long one;    // R mod n
        final long r2;     // R^2 mod n

        Montgomery(long n) {
            this.n = n;
            long inv = n; // Newton: inv = n^{-1} mod 2^64, correct to 3 bits initially for odd n... doubled each step
            for (int i = 0; i < 6; i++) {
                inv *= 2 - n * inv;
            }
            this.nPrime = -inv;
            this.one = Long.remainderUnsigned(-n, n); // 2^64 mod n = (2^64 - n) mod n
            // R^2 mod n by doubling R mod n 64 times
            long x = one;
            for (int i = 0; i < 64; i++) {
                x = addMod(x, x);
            }
            this.r2 = x;
        }

        long addMod(long a, long b) {
            long s = a + b;
            // carry out of 64 bits, or s >= n
            if (Long.compareUnsigned(s, a) < 0 || Long.compareUnsigned(s, n) >= 0) {
                s -= n;
            }
            return s;
        }

        long toMontgomery(long a) {
            return multiply(a, r2);
        }

        /** REDC(a*b) for a, b < n: a*b*R^{-1} mod n, canonical. */
        long multiply(long a, long b) {
            long th = Math.unsignedMultiplyHigh(a, b);
            long tl = a * b;
            long m = tl * nPrime;
            long mh = Math.unsignedMultiplyHigh(m, n);
            long ml = m * n;
            // (t + m*n) / 2^64: low words sum to 0 mod 2^64, carry iff tl != 0
            long carryLo = (tl != 0) ? 1 : 0;
            assert tl + ml == 0;
            long u = th + mh;
            boolean carry = Long.compareUnsigned(u, th) < 0;
            long u2 = u + carryLo;
            carry |= Long.compareUnsigned(u2, u) < 0;
            if (carry || Long.compareUnsigned(u2, n) >= 0) {
                u2 -= n;
            }
            return u2;
        }

        long pow(long baseM, long e) {
            long result = one;
            long b = baseM;
            while (e != 0) {
                if ((e & 1) != 0) {
                    result = multiply(result, b);
                }
                b = multiply(b, b);
                e >>>= 1;
            }
            return result;
        }
    }
}
