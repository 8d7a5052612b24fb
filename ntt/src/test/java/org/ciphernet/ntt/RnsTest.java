package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RnsTest {
    private static final int N = 1 << 12;

    /** A CKKS-shaped basis Q (first prime, scaling primes) and special basis P. */
    private static RnsBasis[] bases(int firstBits, int scaleBits, int levels, int specialBits, int specials) {
        List<Long> q = new ArrayList<>(Primes.generate(firstBits, N, 1, List.of()));
        q.addAll(Primes.closestTo(scaleBits, N, levels, q));
        List<Long> p = Primes.generate(specialBits, N, specials, q);
        return new RnsBasis[] {RnsBasis.ofValues(q), RnsBasis.ofValues(p)};
    }

    private static BigInteger randomBelow(Random rnd, BigInteger bound) {
        BigInteger r;
        do {
            r = new BigInteger(bound.bitLength(), rnd);
        } while (r.compareTo(bound) >= 0);
        return r;
    }

    private static long[][] randomPoly(Random rnd, RnsBasis basis, int n, BigInteger[] values) {
        for (int j = 0; j < n; j++) {
            values[j] = randomBelow(rnd, basis.product());
        }
        values[0] = BigInteger.ZERO;
        values[1] = basis.product().subtract(BigInteger.ONE);
        values[2] = basis.product().shiftRight(1);
        return basis.decompose(values);
    }

    @Test
    void composeAndDecomposeAreExactInverses() {
        Random rnd = new Random(41);
        RnsBasis basis = bases(60, 40, 6, 61, 2)[0];
        BigInteger qq = basis.product();
        BigInteger half = qq.shiftRight(1);
        for (int t = 0; t < 2000; t++) {
            BigInteger x = t == 0 ? BigInteger.ZERO : t == 1 ? qq.subtract(BigInteger.ONE) : randomBelow(rnd, qq);
            long[] r = basis.decompose(x);
            assertEquals(x, basis.compose(r));
            BigInteger centered = x.compareTo(half) > 0 ? x.subtract(qq) : x;
            assertEquals(centered, basis.composeCentered(r));
        }
        assertEquals(BigInteger.valueOf(-5), basis.composeCentered(basis.decompose(-5L)));
        assertEquals(BigInteger.valueOf(Long.MIN_VALUE), basis.composeCentered(basis.decompose(Long.MIN_VALUE)));
        double big = -0x1.23456789abcdfp120;
        assertEquals(new BigDecimal(big).toBigInteger(), basis.composeCentered(basis.decompose(big)));
        assertEquals(BigInteger.valueOf(3), basis.composeCentered(basis.decompose(2.5)));
        assertEquals(BigInteger.valueOf(-3), basis.composeCentered(basis.decompose(-2.7)));
        assertThrows(IllegalArgumentException.class, () -> basis.decompose(Double.NaN));
    }

    @Test
    void polynomialLiftsAreExact() {
        Random rnd = new Random(45);
        RnsBasis basis = bases(50, 40, 3, 61, 1)[0];
        BigInteger half = basis.product().shiftRight(1);
        BigInteger[] coeffs = new BigInteger[64];
        for (int j = 0; j < coeffs.length; j++) {
            coeffs[j] = randomBelow(rnd, basis.product()).subtract(half); // signed, centered range
        }
        assertArrayEquals(coeffs, basis.composeCentered(basis.decompose(coeffs)));
    }

    @Test
    void divideRoundByLastIsExactRounding() {
        Random rnd = new Random(42);
        for (int firstBits : new int[] {40, 50, 60}) {
            RnsBasis basis = bases(firstBits, 40, 4, 61, 1)[0];
            BigInteger qLast = BigInteger.valueOf(basis.modulus(basis.size() - 1).value());
            RnsBasis lower = basis.dropLast();
            int n = 512;
            BigInteger[] x = new BigInteger[n];
            long[][] limbs = randomPoly(rnd, basis, n, x);
            long[][] out = basis.divideRoundByLast(limbs);
            for (int j = 0; j < n; j++) {
                BigInteger expected = new BigDecimal(x[j]).divide(new BigDecimal(qLast), 0, RoundingMode.HALF_UP)
                        .toBigIntegerExact().mod(lower.product());
                long[] r = new long[lower.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = out[i][j];
                }
                assertEquals(expected, lower.compose(r), "coefficient " + j);
            }
        }
        RnsBasis single = RnsBasis.ofValues(List.of(12289L));
        assertThrows(IllegalStateException.class, () -> single.divideRoundByLast(new long[1][4]));
    }

    @Test
    void basisConversionGivesXPlusSmallMultipleOfQOnBothBackends() {
        Random rnd = new Random(43);
        // 50-bit sources take the vector path; 60-bit sources force the scalar path for targets
        for (int[] shape : new int[][] {{50, 40, 5, 50, 2}, {60, 40, 5, 61, 3}, {49, 49, 3, 30, 2}}) {
            RnsBasis[] qp = bases(shape[0], shape[1], shape[2], shape[3], shape[4]);
            RnsBasis q = qp[0];
            RnsBasis p = qp[1];
            int n = 300;
            BigInteger[] x = new BigInteger[n];
            long[][] limbs = randomPoly(rnd, q, n, x);
            long[][] expected = null;
            for (Backend backend : NttTest.backends()) {
                long[][] y = new BasisConverter(q, p, backend).convert(limbs);
                for (int j = 0; j < n; j++) {
                    long[] r = new long[p.size()];
                    for (int i = 0; i < r.length; i++) {
                        r[i] = y[i][j];
                    }
                    BigInteger got = p.compose(r); // (x + alpha*Q) mod P
                    boolean found = false;
                    for (int alpha = 0; alpha < q.size() && !found; alpha++) {
                        found = x[j].add(q.product().multiply(BigInteger.valueOf(alpha))).mod(p.product()).equals(got);
                    }
                    assertTrue(found, backend + " coefficient " + j + " is not x + alpha*Q with 0 <= alpha < k");
                }
                if (expected == null) {
                    expected = y;
                } else {
                    for (int i = 0; i < y.length; i++) {
                        assertArrayEquals(expected[i], y[i], "backends differ");
                    }
                }
            }
        }
    }

    @Test
    void centeredConversionIsExactOnBothBackends() {
        Random rnd = new Random(45);
        for (int[] shape : new int[][] {{50, 40, 5, 50, 2}, {60, 40, 5, 61, 3}, {49, 49, 3, 30, 1}}) {
            RnsBasis[] qp = bases(shape[0], shape[1], shape[2], shape[3], shape[4]);
            // from the special basis P to Q, as ModDown uses it
            RnsBasis from = qp[1];
            RnsBasis to = qp[0];
            int n = 300;
            BigInteger[] x = new BigInteger[n];
            long[][] limbs = randomPoly(rnd, from, n, x);
            BigInteger half = from.product().shiftRight(1);
            x[3] = half.add(BigInteger.ONE); // just above Q/2: the negative representative
            x[4] = BigInteger.ONE;
            long[][] fixed = from.decompose(x);
            for (int i = 0; i < limbs.length; i++) {
                limbs[i] = fixed[i];
            }
            for (Backend backend : NttTest.backends()) {
                long[][] out = new long[to.size()][n];
                new BasisConverter(from, to, backend).convertCenteredInto(limbs, out);
                for (int j = 0; j < n; j++) {
                    BigInteger centered = x[j].compareTo(half) > 0 ? x[j].subtract(from.product()) : x[j];
                    // at the tie, x = (Q-1)/2, both x and x - Q are within 1/2 of Q/2: either is correct
                    BigInteger other = x[j].equals(half) ? x[j].subtract(from.product()) : centered;
                    boolean asCentered = true;
                    boolean asOther = true;
                    for (int i = 0; i < to.size(); i++) {
                        BigInteger p = BigInteger.valueOf(to.modulus(i).value());
                        asCentered &= centered.mod(p).longValueExact() == out[i][j];
                        asOther &= other.mod(p).longValueExact() == out[i][j];
                    }
                    assertTrue(asCentered || asOther, backend + " coefficient " + j + " is not the centered representative");
                }
            }
        }
    }

    @Test
    void modDownDividesByPWithSmallError() {
        Random rnd = new Random(44);
        RnsBasis[] qp = bases(50, 40, 4, 50, 2);
        RnsBasis q = qp[0];
        RnsBasis p = qp[1];
        List<Modulus> all = new ArrayList<>(q.moduli());
        all.addAll(p.moduli());
        RnsBasis qAndP = RnsBasis.of(all);
        int n = 256;
        BigInteger[] x = new BigInteger[n];
        long[][] joint = randomPoly(rnd, qAndP, n, x);
        long[][] xq = java.util.Arrays.copyOfRange(joint, 0, q.size());
        long[][] xp = java.util.Arrays.copyOfRange(joint, q.size(), joint.length);
        for (Backend backend : NttTest.backends()) {
            long[][] down = new BasisConverter(p, q, backend).modDown(xq, xp);
            for (int j = 0; j < n; j++) {
                long[] r = new long[q.size()];
                for (int i = 0; i < r.length; i++) {
                    r[i] = down[i][j];
                }
                BigInteger floor = x[j].divide(p.product());
                BigInteger diff = floor.subtract(q.compose(r)).mod(q.product());
                // x/P - result lies in [0, size(P)] (mod Q)
                assertTrue(diff.compareTo(BigInteger.valueOf(p.size())) <= 0, backend + " error " + diff);
            }
        }
    }

    @Test
    void badBasesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> RnsBasis.ofValues(List.of(12289L, 12289L)));
        assertThrows(IllegalArgumentException.class, () -> RnsBasis.ofValues(List.of(12289L, 12288L)));
        assertThrows(IllegalArgumentException.class, () -> RnsBasis.ofValues(List.of()));
        RnsBasis a = RnsBasis.ofValues(List.of(12289L, 40961L));
        assertThrows(IllegalArgumentException.class, () -> new BasisConverter(a, RnsBasis.ofValues(List.of(40961L))));
        assertThrows(IllegalArgumentException.class, () -> a.compose(new long[3]));
    }
}
