package org.ciphernet.ntt.internal.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.Primes;
import org.ciphernet.ntt.internal.PreparedSums;
import org.ciphernet.ntt.internal.ScalarLimbKernel;
import org.junit.jupiter.api.Test;

/** Which primes take the split-weight sums, and the bounds that keep them exact. */
class SplitWeightSumsTest {
    private static final int N = 1 << 14;

    @Test
    void scalePrimesNearTwoToThirtyTakeTheSplitWithLongRuns() {
        long q = Primes.closestTo(30, N, 1, List.of()).get(0);
        SplitWeightSums s = SplitWeightSums.forModulus(q);
        assertNotNull(s);
        assertEquals(15, s.splitBits());
        assertTrue(s.termsPerFold() >= 128, "terms per fold " + s.termsPerFold());
    }

    @Test
    void theSplitStopsWhereItNoLongerPays() {
        assertNotNull(SplitWeightSums.forModulus(Primes.generate(32, N, 1, List.of()).get(0)));
        assertNull(SplitWeightSums.forModulus(Primes.generate(34, N, 1, List.of()).get(0)));
        assertNull(SplitWeightSums.forModulus(Primes.closestTo(40, N, 1, List.of()).get(0)));
    }

    @Test
    void boundsKeepEveryPartialSumAndTheFoldWithinTwoToFiftyTwo() {
        for (int bits = 3; bits <= 34; bits++) {
            long q = bits < 4 ? 5 : Primes.generate(bits, 2, 1, List.of()).get(0);
            SplitWeightSums s = SplitWeightSums.forModulus(q);
            if (s == null) {
                continue;
            }
            int h = s.splitBits();
            // worst case: a start just below q plus termsPerFold terms of the largest magnitude
            double worst = q + s.termsPerFold() * SplitWeightSums.termBound(q, h);
            assertTrue(worst <= DoubleModMath.LIMIT, "q=" + q);
            assertTrue((q / 2.0 + 1) * (Math.pow(2, h) + 1) <= DoubleModMath.LIMIT, "fold q=" + q);
            // the high half of the largest weight is within the bound the terms assume
            long y = (q - 1) / 2;
            long yh = (y + (1L << (h - 1))) >> h;
            long ylow = y - (yh << h);
            assertTrue(Math.abs((double) (q - 1) * yh) <= SplitWeightSums.termBound(q, h));
            assertTrue(ylow >= -(1L << (h - 1)) && ylow < (1L << (h - 1)));
            long yn = -y;
            long ynh = (yn + (1L << (h - 1))) >> h;
            assertTrue(Math.abs((double) (q - 1) * ynh) <= SplitWeightSums.termBound(q, h));
        }
    }

    /**
     * The split path's grouped rows (issue 17: operands of equal weight added first, then one
     * product per group), forced on with thresholds 1 and 4, give the same bits as its term-by-term
     * rows and as the scalar kernel, with null operands, operands of q − 1, weights 0 and q − 1,
     * empty and one-term rows, K = 1 to 64 weights per row and all-distinct rows.
     */
    @Test
    void groupedRowsAreBitIdenticalToTermByTermAndToTheScalarKernel() {
        if (!VectorLimbKernel.supported()) {
            return;
        }
        SplittableRandom rnd = new SplittableRandom(1718);
        int len = 1024 + 64;
        int inputs = 300;
        long smallest = 2L * N + 1;
        while (!Primes.isPrime(smallest)) {
            smallest += 2L * N;
        }
        for (long q : new long[] {smallest, Primes.closestTo(30, N, 1, List.of()).get(0), Primes.generate(32, N, 1, List.of()).get(0),
                Primes.generate(33, N, 1, List.of()).get(0)}) {
            SplitWeightSums split = SplitWeightSums.forModulus(q);
            if (split == null) {
                continue;
            }
            long[][] in = new long[inputs][];
            for (int c = 0; c < inputs; c++) {
                in[c] = c % 7 == 6 ? null : c % 5 == 0 ? filled(len, q - 1) : rnd.longs(len, 0, q).toArray();
            }
            int[] ks = {1, 2, 3, 8, 16, 64, 0, -1, -2, -3};
            int[][] columns = new int[ks.length][];
            long[][] weights = new long[ks.length][];
            for (int r = 0; r < ks.length; r++) {
                int terms = ks[r] == -1 ? 0 : ks[r] == -2 ? 1 : inputs;
                columns[r] = new int[terms];
                weights[r] = new long[terms];
                long[] pool = ks[r] > 0 ? rnd.longs(ks[r], 0, q).toArray() : new long[] {0};
                if (ks[r] > 2) {
                    pool[0] = 0;
                    pool[1] = q - 1;
                    pool[2] = (q - 1) / 2;
                }
                for (int k = 0; k < terms; k++) {
                    columns[r][k] = ks[r] == -2 ? rnd.nextInt(inputs) : k;
                    weights[r][k] = ks[r] == 0 ? rnd.nextLong(q) : ks[r] == -2 ? q - 1 : ks[r] == -3 ? q - 1 : pool[rnd.nextInt(pool.length)];
                }
            }
            ScalarLimbKernel scalar = new ScalarLimbKernel(Modulus.of(q));
            PreparedSums general = scalar.prepareSparseSums(columns, weights, inputs, false);
            long[][] expected = new long[ks.length][len];
            general.apply(in, expected, 0, len);
            for (int threshold : new int[] {1, 4, Integer.MAX_VALUE}) {
                PreparedSums sums = split.prepare(columns, weights, inputs, general, threshold);
                for (int[] range : new int[][] {{0, 1024}, {64, 64 + 512}, {32, 32 + 96}}) {
                    long[][] out = new long[ks.length][len];
                    sums.apply(in, out, range[0], range[1]);
                    for (int r = 0; r < ks.length; r++) {
                        long[] want = new long[len];
                        System.arraycopy(expected[r], range[0], want, range[0], range[1] - range[0]);
                        assertArrayEquals(want, out[r], "q=" + q + " threshold " + threshold + " range " + range[0] + " row " + r);
                    }
                }
            }
        }
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}
