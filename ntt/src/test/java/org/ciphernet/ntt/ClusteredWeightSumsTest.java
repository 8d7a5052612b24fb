package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigInteger;
import java.util.SplittableRandom;
import org.ciphernet.ntt.internal.WeightGroups;
import org.junit.jupiter.api.Test;

/**
 * Sparse weighted sums whose rows repeat weights (clustered weights, issue 17): the grouped form
 * (operands of equal weight added first) gives the same bits as the term-by-term form, on both
 * backends, and both equal an exact reference.
 */
class ClusteredWeightSumsTest {
    private static final int LEN = 1024 + 128 + 8;
    /** Whole spans, an offset span, whole tiles that are not spans, ranges that are not whole tiles. */
    private static final int[][] RANGES = {{0, 1024}, {128, 1024 + 128}, {32, 32 + 96}, {64, 64 + 200}, {0, LEN}};

    @Test
    void groupedAndTermByTermSumsAgreeWithAnExactReferenceOnBothBackends() {
        SplittableRandom rnd = new SplittableRandom(1717);
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            for (int inputs : new int[] {1, 30, 845}) {
                long[][] in = inputs(rnd, inputs, q);
                int[][] columns = new int[14][];
                long[][] weights = new long[14][];
                rows(rnd, inputs, q, columns, weights);
                // exact reference: BigInteger for small rows, else the scalar term-by-term path (itself
                // checked against BigInteger by LimbOpsTest)
                long[][] expected = new long[columns.length][LEN];
                if (inputs <= 30) {
                    bigIntegerSums(in, columns, weights, q, expected);
                } else {
                    LimbOps.of(Modulus.of(q), Backend.SCALAR).sparseWeightedSums(in,
                            LimbOps.of(Modulus.of(q), Backend.SCALAR).prepareSparseRows(columns, weights, inputs, false),
                            expected, 0, LEN);
                }
                for (Backend backend : NttTest.backends()) {
                    LimbOps ops = LimbOps.of(Modulus.of(q), backend);
                    for (boolean group : new boolean[] {true, false}) {
                        SparseRows prepared = ops.prepareSparseRows(columns, weights, inputs, group);
                        for (int[] range : RANGES) {
                            long[][] out = new long[columns.length][LEN];
                            ops.sparseWeightedSums(in, prepared, out, range[0], range[1]);
                            for (int r = 0; r < columns.length; r++) {
                                long[] want = new long[LEN];
                                System.arraycopy(expected[r], range[0], want, range[0], range[1] - range[0]);
                                assertArrayEquals(want, out[r], backend + (group ? " grouped" : " term by term") + " q=" + q
                                        + " inputs=" + inputs + " range " + range[0] + ".." + range[1] + " row " + r);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void rowsAreGroupedOnlyWithEnoughTermsPerWeightAndWeightZeroIsDropped() {
        assertNull(WeightGroups.of(new int[0], new long[0], 2));
        assertNull(WeightGroups.of(new int[] {0, 1, 2}, new long[] {5, 5, 5}, 0));
        assertNull(WeightGroups.of(new int[] {0, 1, 2, 3}, new long[] {1, 2, 3, 3}, 2)); // 4 terms, 3 weights
        WeightGroups g = WeightGroups.of(new int[] {4, 1, 2, 3, 0, 5}, new long[] {7, 0, 9, 7, 9, 0}, 2);
        assertNotNull(g);
        assertEquals(2, g.groups()); // 7 and 9; the terms of weight 0 are dropped
        assertArrayEquals(new long[] {7, 9}, g.weights());
        assertArrayEquals(new int[] {0, 2, 4}, g.starts());
        assertArrayEquals(new int[] {4, 3, 2, 0}, g.columns());
        WeightGroups zero = WeightGroups.of(new int[] {0, 1}, new long[] {0, 0}, 2);
        assertEquals(0, zero.groups());
        assertEquals(0, zero.terms());
    }

    /** Operands: every seventh missing (null), every fifth q − 1 everywhere, the rest random. */
    static long[][] inputs(SplittableRandom rnd, int inputs, long q) {
        long[][] in = new long[inputs][];
        for (int c = 0; c < inputs; c++) {
            in[c] = c % 7 == 6 ? null : c % 5 == 0 ? TestPrimes.filled(LEN, q - 1) : TestPrimes.random(rnd, LEN, q);
        }
        return in;
    }

    /**
     * Rows 0–7 read every input with weights drawn from K = 1, 2, 3, 8, 16, 64 values (the pools
     * hold 0, 1, q − 1 and the extreme signed weights), row 6 all distinct, row 7 all q − 1; row 8
     * is empty, row 9 one term, row 10 all zero, rows 11–13 sparse with repeats (11 and 12 the same
     * columns).
     */
    static void rows(SplittableRandom rnd, int inputs, long q, int[][] columns, long[][] weights) {
        int[] ks = {1, 2, 3, 8, 16, 64};
        long[] special = {0, 1, q - 1, (q - 1) / 2, (q + 1) / 2 % q};
        for (int r = 0; r < columns.length; r++) {
            int terms = r <= 7 || r == 10 ? inputs : r == 8 ? 0 : r == 9 ? 1 : 1 + rnd.nextInt(Math.min(inputs, 80) + 1);
            if (r == 12) {
                terms = columns[11].length;
            }
            columns[r] = new int[terms];
            weights[r] = new long[terms];
            long[] pool = null;
            if (r < ks.length) {
                pool = new long[ks[r]];
                for (int i = 0; i < pool.length; i++) {
                    pool[i] = i < special.length && r > 0 ? special[i] : rnd.nextLong(q);
                }
            } else if (r >= 11) {
                pool = new long[] {rnd.nextLong(q), rnd.nextLong(q), q - 1};
            }
            for (int k = 0; k < terms; k++) {
                columns[r][k] = r <= 7 || r == 10 ? k : r == 12 ? columns[11][k] : rnd.nextInt(inputs);
                weights[r][k] = r == 6 ? rnd.nextLong(q) : r == 7 ? q - 1 : r == 10 ? 0 : r == 9 ? q - 1
                        : pool[rnd.nextInt(pool.length)];
            }
        }
    }

    static void bigIntegerSums(long[][] in, int[][] columns, long[][] weights, long q, long[][] out) {
        BigInteger bq = BigInteger.valueOf(q);
        for (int r = 0; r < columns.length; r++) {
            for (int i = 0; i < LEN; i++) {
                BigInteger e = BigInteger.ZERO;
                for (int k = 0; k < columns[r].length; k++) {
                    long[] x = in[columns[r][k]];
                    if (x != null) {
                        e = e.add(BigInteger.valueOf(x[i]).multiply(BigInteger.valueOf(weights[r][k])));
                    }
                }
                out[r][i] = e.mod(bq).longValue();
            }
        }
    }
}
