package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ModArithTest {
    private static final long[] MODULI = {
        2, 3, 12289, (1L << 31) - 1, 1125899906842597L /* < 2^50 */, (1L << 50) + 55, (1L << 61) - 1,
        Primes.generate(61, 1 << 16, 1, List.of()).get(0), (1L << 61) - 3 /* odd composite */
    };

    private static BigInteger big(long x) {
        return new BigInteger(Long.toUnsignedString(x));
    }

    @Test
    void mulModAndShoupMatchBigInteger() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (long q : MODULI) {
            Modulus m = Modulus.of(q);
            BigInteger bq = BigInteger.valueOf(q);
            long[] edge = {0, 1, q - 1, q / 2, q - 2 < 0 ? 0 : q - 2};
            for (int t = 0; t < 20_000; t++) {
                long a = t < 25 ? edge[t % 5] : rnd.nextLong(q);
                long b = t < 25 ? edge[t / 5] : rnd.nextLong(q);
                long expected = BigInteger.valueOf(a).multiply(BigInteger.valueOf(b)).mod(bq).longValue();
                assertEquals(expected, ModArith.mulMod(a, b, m), () -> a + "*" + b + " mod " + q);
                long bs = ModArith.shoup(b, m);
                assertEquals(BigInteger.valueOf(b).shiftLeft(64).divide(bq), big(bs), "shoup of " + b + " mod " + q);
                assertEquals(expected, ModArith.mulShoup(a, b, bs, q));
                // lazy Shoup accepts any 64-bit input and returns [0, 2q)
                long wide = rnd.nextLong();
                long lazy = ModArith.mulShoupLazy(wide, b, bs, q);
                assertEquals(big(wide).multiply(BigInteger.valueOf(b)).mod(bq), BigInteger.valueOf(lazy).mod(bq));
                assertEquals(true, lazy >= 0 && lazy < 2 * q);
            }
        }
    }

    @Test
    void reduce128MatchesBigIntegerForAnyWideValue() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (long q : MODULI) {
            Modulus m = Modulus.of(q);
            for (int t = 0; t < 20_000; t++) {
                long hi = t == 0 ? -1L : rnd.nextLong();
                long lo = t == 0 ? -1L : rnd.nextLong();
                BigInteger x = big(hi).shiftLeft(64).add(big(lo));
                assertEquals(x.mod(BigInteger.valueOf(q)).longValue(), ModArith.reduce128(hi, lo, m));
            }
        }
    }

    @Test
    void powInverseAddSubNegate() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (long q : MODULI) {
            Modulus m = Modulus.of(q);
            BigInteger bq = BigInteger.valueOf(q);
            for (int t = 0; t < 2_000; t++) {
                long a = rnd.nextLong(q);
                long b = rnd.nextLong(q);
                long e = rnd.nextLong(Long.MAX_VALUE);
                assertEquals(BigInteger.valueOf(a).modPow(BigInteger.valueOf(e), bq).longValue(), ModArith.pow(a, e, m));
                assertEquals(BigInteger.valueOf(a).add(BigInteger.valueOf(b)).mod(bq).longValue(), ModArith.add(a, b, q));
                assertEquals(BigInteger.valueOf(a).subtract(BigInteger.valueOf(b)).mod(bq).longValue(), ModArith.sub(a, b, q));
                assertEquals(BigInteger.valueOf(a).negate().mod(bq).longValue(), ModArith.negate(a, q));
                if (BigInteger.valueOf(a).gcd(bq).equals(BigInteger.ONE)) {
                    assertEquals(BigInteger.valueOf(a).modInverse(bq).longValue(), ModArith.inverse(a, m));
                } else {
                    assertThrows(ArithmeticException.class, () -> ModArith.inverse(a, m));
                }
                long s = rnd.nextLong();
                assertEquals(BigInteger.valueOf(s).mod(bq).longValue(), ModArith.reduce(s, m));
                assertEquals(big(s).mod(bq).longValue(), ModArith.reduceUnsigned(s, m));
            }
        }
    }

    @Test
    void moduliOutsideTheRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Modulus.of(1));
        assertThrows(IllegalArgumentException.class, () -> Modulus.of(1L << 61));
        assertThrows(IllegalArgumentException.class, () -> new Modulus(12289, 1, 2));
        assertEquals(61, Modulus.of((1L << 61) - 1).bits());
    }
}
