package org.ciphernet.ntt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LimbOpsTest {

    private static long[] reference(long[] a, long[] b, long q, char op) {
        long[] r = new long[a.length];
        BigInteger bq = BigInteger.valueOf(q);
        for (int i = 0; i < a.length; i++) {
            BigInteger x = BigInteger.valueOf(a[i]);
            BigInteger y = BigInteger.valueOf(b[i]);
            r[i] = switch (op) {
                case '+' -> x.add(y).mod(bq).longValue();
                case '-' -> x.subtract(y).mod(bq).longValue();
                case 'n' -> x.negate().mod(bq).longValue();
                default -> x.multiply(y).mod(bq).longValue();
            };
        }
        return r;
    }

    @Test
    void elementWiseOpsMatchBigIntegerOnBothBackends() {
        SplittableRandom rnd = new SplittableRandom(31);
        int[] lengths = {1, 7, 8, 9, 1000, 1 << 12};
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            Modulus m = Modulus.of(q);
            for (int len : lengths) {
                long[] a = TestPrimes.random(rnd, len, q);
                long[] b = TestPrimes.random(rnd, len, q);
                if (len > 8) {
                    a[0] = q - 1; b[0] = q - 1; a[1] = 0; b[2] = 0; a[3] = q - 1; b[3] = 1;
                }
                long s = rnd.nextLong(q);
                long[] sv = TestPrimes.filled(len, s);
                for (Backend backend : NttTest.backends()) {
                    LimbOps ops = LimbOps.of(m, backend);
                    long[] out = new long[len];
                    ops.add(a, b, out);
                    assertArrayEquals(reference(a, b, q, '+'), out, backend + " add q=" + q);
                    ops.sub(a, b, out);
                    assertArrayEquals(reference(a, b, q, '-'), out, backend + " sub q=" + q);
                    ops.negate(a, out);
                    assertArrayEquals(reference(a, b, q, 'n'), out, backend + " negate q=" + q);
                    ops.multiply(a, b, out);
                    assertArrayEquals(reference(a, b, q, '*'), out, backend + " multiply q=" + q);
                    ops.multiplyScalar(a, s, out);
                    assertArrayEquals(reference(a, sv, q, '*'), out, backend + " multiplyScalar q=" + q);
                    ops.addScalar(a, s, out);
                    assertArrayEquals(reference(a, sv, q, '+'), out, backend + " addScalar q=" + q);
                    ops.addScalar(a, q - 1, out); // the largest scalar, with a[0] = a[3] = q - 1
                    assertArrayEquals(reference(a, TestPrimes.filled(len, q - 1), q, '+'), out, backend + " addScalar q-1, q=" + q);
                    long[] alias = a.clone();
                    ops.multiply(alias, b, alias);
                    assertArrayEquals(reference(a, b, q, '*'), alias, backend + " aliased output");
                }
            }
        }
    }

    @Test
    void multiplyAccumulateMatchesBigIntegerForManyTerms() {
        SplittableRandom rnd = new SplittableRandom(32);
        int len = 1000 + 3; // a vector tail too
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            Modulus m = Modulus.of(q);
            BigInteger bq = BigInteger.valueOf(q);
            for (int terms : new int[] {0, 1, 5, 6, 64, 65, 300}) {
                long[][] b = new long[terms][];
                long[][] c = new long[terms][];
                long[] s = new long[terms];
                for (int t = 0; t < terms; t++) {
                    // extreme operands on even terms, random on odd ones
                    b[t] = t % 2 == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
                    c[t] = t % 2 == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
                    s[t] = t % 2 == 0 ? q - 1 : rnd.nextLong(q);
                }
                long[] acc0 = TestPrimes.random(rnd, len, q);
                long[] expected = new long[len];
                long[] expectedScalars = new long[len];
                for (int i = 0; i < len; i++) {
                    BigInteger e = BigInteger.valueOf(acc0[i]);
                    BigInteger es = e;
                    for (int t = 0; t < terms; t++) {
                        e = e.add(BigInteger.valueOf(b[t][i]).multiply(BigInteger.valueOf(c[t][i])));
                        es = es.add(BigInteger.valueOf(b[t][i]).multiply(BigInteger.valueOf(s[t])));
                    }
                    expected[i] = e.mod(bq).longValue();
                    expectedScalars[i] = es.mod(bq).longValue();
                }
                for (Backend backend : NttTest.backends()) {
                    LimbOps ops = LimbOps.of(m, backend);
                    long[] acc = acc0.clone();
                    ops.multiplyAccumulate(acc, b, c);
                    assertArrayEquals(expected, acc, backend + " MAC q=" + q + " terms=" + terms);
                    acc = acc0.clone();
                    ops.multiplyAccumulateScalars(acc, b, s);
                    assertArrayEquals(expectedScalars, acc, backend + " MAC scalars q=" + q + " terms=" + terms);
                }
            }
        }
    }

    /** {@code acc + Σ_t x[t][i] · y[t][i] mod q} per element. */
    private static long[] macReference(long[] acc, long[][] x, long[][] y, long q) {
        BigInteger bq = BigInteger.valueOf(q);
        long[] r = new long[acc.length];
        for (int i = 0; i < acc.length; i++) {
            BigInteger e = BigInteger.valueOf(acc[i]);
            for (int t = 0; t < x.length; t++) {
                e = e.add(BigInteger.valueOf(x[t][i]).multiply(BigInteger.valueOf(y[t][i])));
            }
            r[i] = e.mod(bq).longValue();
        }
        return r;
    }

    /**
     * Operands for the pair tests: term t of kind t % 4 is all q - 1 (b, c0 and c1), zeros in b, q - 1
     * in b with zeros in c1, or random.
     */
    private static long[][][] pairOperands(SplittableRandom rnd, int terms, int len, long q) {
        long[][][] op = new long[3][terms][];
        for (int t = 0; t < terms; t++) {
            for (int k = 0; k < 3; k++) {
                op[k][t] = switch (t % 4) {
                    case 0 -> TestPrimes.filled(len, q - 1);
                    case 1 -> k == 0 ? new long[len] : TestPrimes.random(rnd, len, q);
                    case 2 -> k == 0 ? TestPrimes.filled(len, q - 1) : k == 2 ? new long[len] : TestPrimes.random(rnd, len, q);
                    default -> TestPrimes.random(rnd, len, q);
                };
            }
        }
        return op;
    }

    /**
     * Checks the pair on one modulus, length and term count against two multiplyAccumulate calls and
     * against BigInteger, on every backend.
     */
    private static void checkPair(SplittableRandom rnd, long q, int len, int terms) {
        Modulus m = Modulus.of(q);
        long[][][] op = pairOperands(rnd, terms, len, q);
        long[][] b = op[0];
        long[][] c0 = op[1];
        long[][] c1 = op[2];
        // accumulators: q - 1 everywhere, zeros, or random (with an edge value up front)
        long[] acc0 = terms % 3 == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
        long[] acc1 = terms % 3 == 1 ? new long[len] : TestPrimes.random(rnd, len, q);
        acc0[0] = q - 1;
        acc1[0] = 0;
        long[] expected0 = macReference(acc0, b, c0, q);
        long[] expected1 = macReference(acc1, b, c1, q);
        for (Backend backend : NttTest.backends()) {
            LimbOps ops = LimbOps.of(m, backend);
            String what = backend + " q=" + q + " len=" + len + " terms=" + terms;
            long[] two0 = acc0.clone();
            long[] two1 = acc1.clone();
            ops.multiplyAccumulate(two0, b, c0);
            ops.multiplyAccumulate(two1, b, c1);
            long[] pair0 = acc0.clone();
            long[] pair1 = acc1.clone();
            ops.multiplyAccumulatePair(pair0, pair1, b, c0, c1);
            assertArrayEquals(two0, pair0, what + " pair, first sum vs multiplyAccumulate");
            assertArrayEquals(two1, pair1, what + " pair, second sum vs multiplyAccumulate");
            assertArrayEquals(expected0, pair0, what + " pair, first sum vs BigInteger");
            assertArrayEquals(expected1, pair1, what + " pair, second sum vs BigInteger");
        }
    }

    @Test
    void multiplyAccumulatePairMatchesTwoCallsAndBigIntegerOnEveryPrimeAndBackend() {
        SplittableRandom rnd = new SplittableRandom(38);
        // a vector tail only (5), one block plus a tail, blocks plus a partial block plus a tail, whole blocks
        int[] lengths = {5, 256 + 3, 2 * 256 + 64 + 5, 1024};
        // 0, 1, the vector kernel's 3 terms per reduction just below 2^50 and one more, 7 at 2^49, past the
        // scalar kernel's 64-term fold
        int[] termCounts = {0, 1, 2, 3, 4, 8, 65};
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            for (int len : lengths) {
                for (int terms : termCounts) {
                    checkPair(rnd, q, len, terms);
                }
            }
        }
    }

    @Test
    void multiplyAccumulatePairReducesOnTheVectorScheduleForFortyBitPrimes() {
        // about 4,680 terms fit in one reduction of the vector kernel at 40 bits: go past it (and past
        // twice the scalar fold), with the largest operands on a quarter of the terms
        SplittableRandom rnd = new SplittableRandom(39);
        long q = Primes.closestTo(40, 1 << 12, 1, List.of()).get(0);
        checkPair(rnd, q, 64 + 3, 4_700);
        // the smallest prime above 2^45: ~146 terms per reduction
        long q45 = Primes.generate(45, 1 << 12, 1, List.of()).get(0);
        checkPair(rnd, q45, 2 * 256 + 7, 300);
    }

    @Test
    void multiplyAccumulatePairRejectsMisuse() {
        LimbOps ops = LimbOps.of(Modulus.of(12289));
        long[] a0 = new long[8];
        long[] a1 = new long[8];
        long[][] b = new long[2][8];
        long[][] c = new long[2][8];
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, b, c, new long[1][8]));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, b, new long[3][8], c));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, new long[9], b, c, c));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, b, c, new long[][] {new long[8], new long[7]}));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a0, b, c, c));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, new long[][] {a1}, new long[1][8], new long[1][8]));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, new long[1][8], new long[][] {a0}, new long[1][8]));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyAccumulatePair(a0, a1, new long[1][8], new long[1][8], new long[][] {a0}));
    }

    @Test
    void fourRowSumsMatchBigInteger() {
        SplittableRandom rnd = new SplittableRandom(33);
        int len = 1000 + 5; // a vector tail too
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            Modulus m = Modulus.of(q);
            BigInteger bq = BigInteger.valueOf(q);
            for (int terms : new int[] {0, 1, 7, 65, 845}) {
                long[][] b = new long[terms][];
                long[][] s = new long[4][terms];
                for (int t = 0; t < terms; t++) {
                    b[t] = t % 3 == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
                    for (int r = 0; r < 4; r++) {
                        // row 0 all q - 1, row 1 all zero, row 2 all (q-1)/2 (the largest signed weight, so
                        // the split-weight sums grow fastest), row 3 mixed with -(q-1)/2
                        s[r][t] = r == 0 ? q - 1 : r == 1 ? 0 : r == 2 ? (q - 1) / 2 : t % 2 == 0 ? (q + 1) / 2 : rnd.nextLong(q);
                    }
                }
                long[][] acc0 = new long[4][];
                long[][] expected = new long[4][len];
                for (int r = 0; r < 4; r++) {
                    acc0[r] = r == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
                    for (int i = 0; i < len; i++) {
                        BigInteger e = BigInteger.valueOf(acc0[r][i]);
                        for (int t = 0; t < terms; t++) {
                            e = e.add(BigInteger.valueOf(b[t][i]).multiply(BigInteger.valueOf(s[r][t])));
                        }
                        expected[r][i] = e.mod(bq).longValue();
                    }
                }
                for (Backend backend : NttTest.backends()) {
                    LimbOps ops = LimbOps.of(m, backend);
                    long[][] acc = new long[4][];
                    for (int r = 0; r < 4; r++) {
                        acc[r] = acc0[r].clone();
                    }
                    ops.multiplyAccumulateScalars4(acc, b, s);
                    for (int r = 0; r < 4; r++) {
                        assertArrayEquals(expected[r], acc[r], backend + " 4-row MAC q=" + q + " terms=" + terms + " row " + r);
                    }
                }
            }
        }
    }

    @Test
    void sparseWeightedSumsMatchBigIntegerOnEveryRangeAndBackend() {
        SplittableRandom rnd = new SplittableRandom(35);
        int len = 1024 + 128 + 8;
        // ranges: whole spans of tiles from 0 and at an offset, whole tiles that are not whole spans
        // (the vector kernel's tiles are 4 vectors, its spans 16), and ranges that are not whole tiles
        int[][] ranges = {{0, 1024}, {128, 1024 + 128}, {32, 32 + 96}, {64, 64 + 200}, {0, len}};
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            Modulus m = Modulus.of(q);
            BigInteger bq = BigInteger.valueOf(q);
            for (int inputs : new int[] {1, 30, 845}) {
                long[][] in = new long[inputs][];
                for (int c = 0; c < inputs; c++) {
                    // every seventh input is missing, every fifth holds q - 1 everywhere
                    in[c] = c % 7 == 6 ? null : c % 5 == 0 ? TestPrimes.filled(len, q - 1) : TestPrimes.random(rnd, len, q);
                }
                int rows = 12;
                int[][] columns = new int[rows][];
                long[][] weights = new long[rows][];
                for (int r = 0; r < rows; r++) {
                    // rows 0–3 dense (same columns), row 4 empty, rows 5–8 sparse with repeats, rows
                    // 9–11 the columns of row 5 again (a pair and a single apart from their twin, as
                    // the channels of one convolution position), row 11 with one more term
                    int terms = r < 4 ? inputs : r == 4 ? 0 : r >= 9 ? columns[5].length + (r == 11 ? 1 : 0)
                            : 1 + rnd.nextInt(Math.min(inputs, 40) + 1);
                    columns[r] = new int[terms];
                    weights[r] = new long[terms];
                    for (int k = 0; k < terms; k++) {
                        columns[r][k] = r < 4 ? k : r >= 9 && k < columns[5].length ? columns[5][k] : rnd.nextInt(inputs);
                        weights[r][k] = switch (r) {
                            case 0 -> (q - 1) / 2;          // the largest signed weight: fastest growth
                            case 1 -> (q + 1) / 2 % q;      // the most negative
                            case 2 -> q - 1;
                            default -> rnd.nextLong(q);
                        };
                    }
                }
                for (int[] range : ranges) {
                    long[][] expected = new long[rows][len];
                    for (int r = 0; r < rows; r++) {
                        for (int i = range[0]; i < range[1]; i++) {
                            BigInteger e = BigInteger.ZERO;
                            for (int k = 0; k < columns[r].length; k++) {
                                long[] x = in[columns[r][k]];
                                if (x != null) {
                                    e = e.add(BigInteger.valueOf(x[i]).multiply(BigInteger.valueOf(weights[r][k])));
                                }
                            }
                            expected[r][i] = e.mod(bq).longValue();
                        }
                    }
                    for (Backend backend : NttTest.backends()) {
                        long[][] out = new long[rows][len];
                        LimbOps.of(m, backend).sparseWeightedSums(in, columns, weights, out, range[0], range[1]);
                        for (int r = 0; r < rows; r++) {
                            assertArrayEquals(expected[r], out[r], backend + " sparse sums q=" + q + " inputs=" + inputs
                                    + " range " + range[0] + ".." + range[1] + " row " + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void preparedRowsGiveTheSameSumsOnEveryOperandSetAndRange() {
        SplittableRandom rnd = new SplittableRandom(36);
        int len = 2048;
        for (long q : TestPrimes.edgePrimes(1 << 12)) {
            Modulus m = Modulus.of(q);
            int inputs = 50;
            int rows = 7;
            int[][] columns = new int[rows][];
            long[][] weights = new long[rows][];
            for (int r = 0; r < rows; r++) {
                columns[r] = r % 3 == 0 && r > 0 ? columns[0] : rnd.ints(1 + rnd.nextInt(60), 0, inputs).toArray();
                weights[r] = rnd.longs(columns[r].length, 0, q).toArray();
            }
            for (Backend backend : NttTest.backends()) {
                LimbOps ops = LimbOps.of(m, backend);
                SparseRows prepared = ops.prepareSparseRows(columns, weights, inputs);
                assertEquals(inputs, prepared.inputs());
                assertEquals(rows, prepared.rows());
                for (int set = 0; set < 2; set++) {
                    long[][] in = new long[inputs][];
                    for (int c = 0; c < inputs; c++) {
                        in[c] = set == 1 && c % 4 == 0 ? null : TestPrimes.random(rnd, len, q);
                    }
                    for (int[] range : new int[][] {{0, 1024}, {1024, 2048}, {96, 96 + 40}}) {
                        long[][] expected = new long[rows][len];
                        LimbOps.of(m, Backend.SCALAR).sparseWeightedSums(in, columns, weights, expected, range[0], range[1]);
                        long[][] out = new long[rows][len];
                        ops.sparseWeightedSums(in, prepared, out, range[0], range[1]);
                        for (int r = 0; r < rows; r++) {
                            assertArrayEquals(expected[r], out[r], backend + " prepared rows q=" + q + " set " + set
                                    + " range " + range[0] + " row " + r);
                        }
                    }
                }
            }
        }
    }

    @Test
    void preparedRowsRejectAnotherModulusAndOtherShapes() {
        LimbOps ops = LimbOps.of(Modulus.of(12289));
        SparseRows rows = ops.prepareSparseRows(new int[][] {{0, 1}}, new long[][] {{1, 2}}, 2);
        long[][] in = {new long[64], new long[64]};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LimbOps.of(Modulus.of(40961)).sparseWeightedSums(in, rows, new long[1][64], 0, 64));
        assertTrue(e.getMessage().contains("12289"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ops.sparseWeightedSums(new long[3][64], rows, new long[1][64], 0, 64));
        assertThrows(IllegalArgumentException.class, () -> ops.sparseWeightedSums(in, rows, new long[2][64], 0, 64));
        assertThrows(IndexOutOfBoundsException.class, () -> ops.sparseWeightedSums(in, rows, new long[1][64], 32, 16));
        assertThrows(IndexOutOfBoundsException.class, () -> ops.prepareSparseRows(new int[][] {{2}}, new long[][] {{1}}, 2));
        assertThrows(IllegalArgumentException.class, () -> ops.prepareSparseRows(new int[][] {{0}}, new long[][] {{-1}}, 2));
    }

    @Test
    void liftCenteredMatchesBigIntegerForEveryPairOfPrimes() {
        SplittableRandom rnd = new SplittableRandom(37);
        List<Long> primes = TestPrimes.edgePrimes(1 << 12);
        int len = 64 + 5; // a tail shorter than a vector
        for (long p : primes) {
            long[] a = TestPrimes.random(rnd, len, p);
            // the edges of the centered range: 0, 1, p/2, p/2 + 1, p - 1
            a[0] = 0;
            a[1] = 1;
            a[2] = p / 2;
            a[3] = p / 2 + 1;
            a[4] = p - 1;
            BigInteger bp = BigInteger.valueOf(p);
            for (long q : primes) {
                BigInteger bq = BigInteger.valueOf(q);
                long[] expected = new long[len];
                for (int i = 0; i < len; i++) {
                    BigInteger v = BigInteger.valueOf(a[i]);
                    if (v.shiftLeft(1).compareTo(bp) > 0) {
                        v = v.subtract(bp);
                    }
                    expected[i] = v.mod(bq).longValue();
                }
                for (Backend backend : NttTest.backends()) {
                    long[] out = new long[len];
                    LimbOps.of(Modulus.of(q), backend).liftCentered(a, p, out);
                    assertArrayEquals(expected, out, backend + " lift from " + p + " to " + q);
                }
            }
        }
    }

    @Test
    void sparseWeightedSumsRejectBadShapes() {
        LimbOps ops = LimbOps.of(Modulus.of(12289));
        long[][] in = {new long[64], new long[64]};
        assertThrows(IndexOutOfBoundsException.class,
                () -> ops.sparseWeightedSums(in, new int[][] {{2}}, new long[][] {{1}}, new long[1][64], 0, 64));
        assertThrows(IllegalArgumentException.class,
                () -> ops.sparseWeightedSums(in, new int[][] {{0}}, new long[][] {{12289}}, new long[1][64], 0, 64));
        assertThrows(IllegalArgumentException.class,
                () -> ops.sparseWeightedSums(in, new int[][] {{0, 1}}, new long[][] {{1}}, new long[1][64], 0, 64));
        assertThrows(IndexOutOfBoundsException.class,
                () -> ops.sparseWeightedSums(in, new int[][] {{0}}, new long[][] {{1}}, new long[1][64], 0, 128));
    }

    @Test
    void misuseIsRejected() {
        LimbOps ops = LimbOps.of(Modulus.of(12289));
        assertThrows(IllegalArgumentException.class, () -> ops.add(new long[4], new long[5], new long[4]));
        assertThrows(IllegalArgumentException.class, () -> ops.addScalar(new long[4], 12289, new long[4]));
        assertThrows(IllegalArgumentException.class, () -> ops.multiplyScalar(new long[4], 12289, new long[4]));
        assertThrows(IllegalArgumentException.class,
                () -> ops.multiplyAccumulate(new long[4], new long[2][4], new long[1][4]));
        assertThrows(NullPointerException.class, () -> LimbOps.of(null));
    }
}
