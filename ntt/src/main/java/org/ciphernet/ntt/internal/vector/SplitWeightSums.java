package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Sparse weighted sums {@code out[r] = Σ_k w[r][k] · in[c[r][k]]} for small primes (below about
 * 2^32), two exact fused multiply-adds per term instead of a modular product.
 *
 * <p>Each weight, taken as its signed representative {@code |y| <= (q-1)/2}, is split as
 * {@code y = yh·2^h + yl} with {@code -2^(h-1) <= yl < 2^(h-1)} and {@code |yh| <= (q-1)/2^(h+1) + 1}.
 * For a canonical operand {@code 0 <= x < q} the products {@code x·yl} and {@code x·yh} are integers
 * of at most {@link #termBound} in magnitude, so a low and a high accumulator, both exact integers
 * held in doubles, absorb {@code fma(x, yl, low)} and {@code fma(x, yh, high)} without any rounding
 * while they stay within 2^52. After {@link #termsPerFold} terms the two are folded back into one
 * residue: {@code low = reduce(reduce(high)·2^h + reduce(low))}, {@code high = 0}, where
 * {@code reduce} is the exact reduction of {@link DoubleModMath} (result at most {@code (q+1)/2} in
 * magnitude; {@code (q/2 + 1)·(2^h + 1) < 2^52} keeps the fold itself exact). The result is made
 * canonical at the end, so it is bit for bit the residue every other kernel computes.
 *
 * <p>See {@link #sparseSums} for the loop: tiles of coefficients, inputs converted once per tile,
 * and each row's (or pair of rows') sums in registers.
 */
final class SplitWeightSums {
    private static final VectorSpecies<Double> DS = VectorNtt.DS;
    private static final VectorSpecies<Long> LS = VectorNtt.LS;
    private static final int L = VectorNtt.L;
    private static final double ROUND = DoubleModMath.ROUND;
    /** Fewest terms per fold for which the split is worth it. */
    private static final int MIN_TERMS_PER_FOLD = 16;

    private final long q;
    private final double qd;
    private final double qinv;
    private final int h;
    private final double twoToH;
    private final int termsPerFold;

    private SplitWeightSums(long q, int h, int termsPerFold) {
        this.q = q;
        this.qd = q;
        this.qinv = 1.0 / q;
        this.h = h;
        this.twoToH = 1L << h;
        this.termsPerFold = termsPerFold;
    }

    /** The split for modulus q, or null when q is too large for it to pay off. */
    static SplitWeightSums forModulus(long q) {
        if (q < 3 || q >= (1L << 33)) {
            return null;
        }
        int bestH = 0;
        int bestTerms = 0;
        for (int h = 1; h <= 20; h++) {
            double fold = (q / 2.0 + 1) * ((double) (1L << h) + 1);
            if (fold > DoubleModMath.LIMIT) {
                break;
            }
            int terms = termsPerFold(q, h);
            if (terms > bestTerms) {
                bestTerms = terms;
                bestH = h;
            }
        }
        return bestTerms >= MIN_TERMS_PER_FOLD ? new SplitWeightSums(q, bestH, bestTerms) : null;
    }

    /** Largest magnitude of one product {@code x·yl} or {@code x·yh} for canonical x. */
    static double termBound(long q, int h) {
        double low = (double) (q - 1) * (double) (1L << (h - 1));
        double high = (double) (q - 1) * ((double) ((q - 1) / 2 >> h) + 1);
        return Math.max(low, high);
    }

    /** Terms both accumulators absorb exactly, starting from a residue of magnitude below q. */
    static int termsPerFold(long q, int h) {
        return (int) Math.min(1 << 20, Math.floor((DoubleModMath.LIMIT - q) / termBound(q, h)));
    }

    int termsPerFold() {
        return termsPerFold;
    }

    int splitBits() {
        return h;
    }

    /** Coefficients per tile of {@link #sparseSums}: 8 vectors of low and 8 of high sums stay in registers. */
    static final int TILE = 8 * L;
    private static final ThreadLocal<double[][]> tileScratch = ThreadLocal.withInitial(() -> new double[1][0]);

    /**
     * {@code out[r] = Σ_k weights[r][k] · in[columns[r][k]]} on {@code [from, to)}, a multiple of
     * {@link #TILE} long; null inputs count as zero. Per tile of coefficients every input is converted to
     * doubles once into a contiguous buffer (inputs × 512 bytes with 8-lane vectors: in L2 for up to about a thousand
     * inputs, and free of the cache-set conflicts of equally sized arrays read at one offset), then
     * each row runs its terms with its sixteen partial sums in registers.
     */
    void sparseSums(long[][] in, int[][] columns, long[][] weights, long[][] out, int from, int to) {
        int rows = columns.length;
        int[][] offsets = new int[rows][];
        double[][] lows = new double[rows][];
        double[][] highs = new double[rows][];
        boolean[] used = new boolean[in.length];
        long half = q / 2;
        for (int r = 0; r < rows; r++) {
            int terms = 0;
            for (int c : columns[r]) {
                terms += in[c] != null ? 1 : 0;
            }
            offsets[r] = new int[terms];
            lows[r] = new double[terms];
            highs[r] = new double[terms];
            int t = 0;
            for (int k = 0; k < columns[r].length; k++) {
                int c = columns[r][k];
                if (in[c] == null) {
                    continue;
                }
                used[c] = true;
                long w = weights[r][k];
                long y = w > half ? w - q : w;
                long yh = (y + (1L << (h - 1))) >> h;
                offsets[r][t] = c * TILE;
                highs[r][t] = yh;
                lows[r][t] = y - (yh << h);
                t++;
            }
        }
        double[][] holder = tileScratch.get();
        if (holder[0].length < in.length * TILE) {
            holder[0] = new double[in.length * TILE];
        }
        double[] xs = holder[0];
        double[] sums = new double[16 * L];
        DoubleVector qv = DoubleVector.broadcast(DS, -qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        DoubleVector scale = DoubleVector.broadcast(DS, twoToH);
        for (int base = from; base < to; base += TILE) {
            for (int c = 0; c < in.length; c++) {
                if (used[c]) {
                    long[] a = in[c];
                    int o = c * TILE;
                    for (int j = 0; j < TILE; j += L) {
                        ((DoubleVector) LongVector.fromArray(LS, a, base + j).convert(VectorOperators.L2D, 0)).intoArray(xs, o + j);
                    }
                }
            }
            for (int r = 0; r < rows; ) {
                if (r + 1 < rows && java.util.Arrays.equals(offsets[r], offsets[r + 1])) {
                    for (int j = 0; j < TILE; j += 4 * L) {
                        rowQuadPair(xs, j, offsets[r], lows[r], highs[r], lows[r + 1], highs[r + 1], out[r], out[r + 1],
                                base + j, qv, qinvv, rv, scale, sums);
                    }
                    r += 2;
                } else {
                    for (int j = 0; j < TILE; j += 4 * L) {
                        rowQuad(xs, j, offsets[r], lows[r], highs[r], out[r], base + j, qv, qinvv, rv, scale, sums);
                    }
                    r++;
                }
            }
        }
    }

    /**
     * One row's sums over 4 vectors of the tile starting at offset j of each input's slice. The
     * terms run in chunks of at most {@link #termsPerFold}, each a single loop with its eight partial
     * sums in registers (nesting the chunk loop around them makes C2 box the vectors).
     */
    private void rowQuad(double[] xs, int j, int[] off, double[] wl, double[] wh, long[] o, int at,
            DoubleVector qv, DoubleVector qinvv, DoubleVector rv, DoubleVector scale, double[] sums) {
        java.util.Arrays.fill(sums, 0.0);
        int terms = off.length;
        for (int t0 = 0; t0 < terms; t0 += termsPerFold) {
            chunk(xs, j, off, wl, wh, t0, Math.min(terms, t0 + termsPerFold), sums);
            for (int v = 0; v < 4; v++) {
                DoubleVector lo = DoubleVector.fromArray(DS, sums, v * L);
                DoubleVector hi = DoubleVector.fromArray(DS, sums, (4 + v) * L);
                fold(hi, lo, qv, qinvv, rv, scale).intoArray(sums, v * L);
                DoubleVector.zero(DS).intoArray(sums, (4 + v) * L);
            }
        }
        for (int v = 0; v < 4; v++) {
            canonical(DoubleVector.fromArray(DS, sums, v * L), qv).intoArray(o, at + v * L);
        }
    }

    /** {@link #rowQuad} for two rows of the same columns, each operand vector loaded once for both. */
    private void rowQuadPair(double[] xs, int j, int[] off, double[] wla, double[] wha, double[] wlb, double[] whb,
            long[] oa, long[] ob, int at, DoubleVector qv, DoubleVector qinvv, DoubleVector rv, DoubleVector scale,
            double[] sums) {
        java.util.Arrays.fill(sums, 0.0);
        int terms = off.length;
        for (int t0 = 0; t0 < terms; t0 += termsPerFold) {
            chunkPair(xs, j, off, wla, wha, wlb, whb, t0, Math.min(terms, t0 + termsPerFold), sums);
            for (int v = 0; v < 4; v++) {
                for (int row = 0; row < 2; row++) {
                    int lo = (8 * row + v) * L;
                    int hi = (8 * row + 4 + v) * L;
                    fold(DoubleVector.fromArray(DS, sums, hi), DoubleVector.fromArray(DS, sums, lo), qv, qinvv, rv, scale)
                            .intoArray(sums, lo);
                    DoubleVector.zero(DS).intoArray(sums, hi);
                }
            }
        }
        for (int v = 0; v < 4; v++) {
            canonical(DoubleVector.fromArray(DS, sums, v * L), qv).intoArray(oa, at + v * L);
            canonical(DoubleVector.fromArray(DS, sums, (8 + v) * L), qv).intoArray(ob, at + v * L);
        }
    }

    /** {@link #chunk} for two rows: row a's sums at {@code sums[0, 8L)}, row b's at {@code sums[8L, 16L)}. */
    private static void chunkPair(double[] xs, int j, int[] off, double[] wla, double[] wha, double[] wlb, double[] whb,
            int t0, int t1, double[] sums) {
        DoubleVector a0 = DoubleVector.fromArray(DS, sums, 0);
        DoubleVector a1 = DoubleVector.fromArray(DS, sums, L);
        DoubleVector a2 = DoubleVector.fromArray(DS, sums, 2 * L);
        DoubleVector a3 = DoubleVector.fromArray(DS, sums, 3 * L);
        DoubleVector c0 = DoubleVector.fromArray(DS, sums, 4 * L);
        DoubleVector c1 = DoubleVector.fromArray(DS, sums, 5 * L);
        DoubleVector c2 = DoubleVector.fromArray(DS, sums, 6 * L);
        DoubleVector c3 = DoubleVector.fromArray(DS, sums, 7 * L);
        DoubleVector b0 = DoubleVector.fromArray(DS, sums, 8 * L);
        DoubleVector b1 = DoubleVector.fromArray(DS, sums, 9 * L);
        DoubleVector b2 = DoubleVector.fromArray(DS, sums, 10 * L);
        DoubleVector b3 = DoubleVector.fromArray(DS, sums, 11 * L);
        DoubleVector d0 = DoubleVector.fromArray(DS, sums, 12 * L);
        DoubleVector d1 = DoubleVector.fromArray(DS, sums, 13 * L);
        DoubleVector d2 = DoubleVector.fromArray(DS, sums, 14 * L);
        DoubleVector d3 = DoubleVector.fromArray(DS, sums, 15 * L);
        for (int t = t0; t < t1; t++) {
            int p = off[t] + j;
            DoubleVector ya = DoubleVector.broadcast(DS, wla[t]);
            DoubleVector za = DoubleVector.broadcast(DS, wha[t]);
            DoubleVector yb = DoubleVector.broadcast(DS, wlb[t]);
            DoubleVector zb = DoubleVector.broadcast(DS, whb[t]);
            DoubleVector x0 = DoubleVector.fromArray(DS, xs, p);
            DoubleVector x1 = DoubleVector.fromArray(DS, xs, p + L);
            DoubleVector x2 = DoubleVector.fromArray(DS, xs, p + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(DS, xs, p + 3 * L);
            a0 = x0.fma(ya, a0);
            c0 = x0.fma(za, c0);
            b0 = x0.fma(yb, b0);
            d0 = x0.fma(zb, d0);
            a1 = x1.fma(ya, a1);
            c1 = x1.fma(za, c1);
            b1 = x1.fma(yb, b1);
            d1 = x1.fma(zb, d1);
            a2 = x2.fma(ya, a2);
            c2 = x2.fma(za, c2);
            b2 = x2.fma(yb, b2);
            d2 = x2.fma(zb, d2);
            a3 = x3.fma(ya, a3);
            c3 = x3.fma(za, c3);
            b3 = x3.fma(yb, b3);
            d3 = x3.fma(zb, d3);
        }
        a0.intoArray(sums, 0);
        a1.intoArray(sums, L);
        a2.intoArray(sums, 2 * L);
        a3.intoArray(sums, 3 * L);
        c0.intoArray(sums, 4 * L);
        c1.intoArray(sums, 5 * L);
        c2.intoArray(sums, 6 * L);
        c3.intoArray(sums, 7 * L);
        b0.intoArray(sums, 8 * L);
        b1.intoArray(sums, 9 * L);
        b2.intoArray(sums, 10 * L);
        b3.intoArray(sums, 11 * L);
        d0.intoArray(sums, 12 * L);
        d1.intoArray(sums, 13 * L);
        d2.intoArray(sums, 14 * L);
        d3.intoArray(sums, 15 * L);
    }

    /** Adds terms {@code [t0, t1)} to the low sums {@code sums[0, 4L)} and high sums {@code sums[4L, 8L)}. */
    private static void chunk(double[] xs, int j, int[] off, double[] wl, double[] wh, int t0, int t1, double[] sums) {
        DoubleVector l0 = DoubleVector.fromArray(DS, sums, 0);
        DoubleVector l1 = DoubleVector.fromArray(DS, sums, L);
        DoubleVector l2 = DoubleVector.fromArray(DS, sums, 2 * L);
        DoubleVector l3 = DoubleVector.fromArray(DS, sums, 3 * L);
        DoubleVector h0 = DoubleVector.fromArray(DS, sums, 4 * L);
        DoubleVector h1 = DoubleVector.fromArray(DS, sums, 5 * L);
        DoubleVector h2 = DoubleVector.fromArray(DS, sums, 6 * L);
        DoubleVector h3 = DoubleVector.fromArray(DS, sums, 7 * L);
        for (int t = t0; t < t1; t++) {
            int p = off[t] + j;
            DoubleVector yl = DoubleVector.broadcast(DS, wl[t]);
            DoubleVector yh = DoubleVector.broadcast(DS, wh[t]);
            DoubleVector x0 = DoubleVector.fromArray(DS, xs, p);
            DoubleVector x1 = DoubleVector.fromArray(DS, xs, p + L);
            DoubleVector x2 = DoubleVector.fromArray(DS, xs, p + 2 * L);
            DoubleVector x3 = DoubleVector.fromArray(DS, xs, p + 3 * L);
            l0 = x0.fma(yl, l0);
            h0 = x0.fma(yh, h0);
            l1 = x1.fma(yl, l1);
            h1 = x1.fma(yh, h1);
            l2 = x2.fma(yl, l2);
            h2 = x2.fma(yh, h2);
            l3 = x3.fma(yl, l3);
            h3 = x3.fma(yh, h3);
        }
        l0.intoArray(sums, 0);
        l1.intoArray(sums, L);
        l2.intoArray(sums, 2 * L);
        l3.intoArray(sums, 3 * L);
        h0.intoArray(sums, 4 * L);
        h1.intoArray(sums, 5 * L);
        h2.intoArray(sums, 6 * L);
        h3.intoArray(sums, 7 * L);
    }

    /** {@code reduce(reduce(high)·2^h + reduce(low))}, at most {@code (q+1)/2} in magnitude. */
    private static DoubleVector fold(DoubleVector high, DoubleVector low, DoubleVector qv, DoubleVector qinvv,
            DoubleVector rv, DoubleVector scale) {
        DoubleVector hr = high.fma(qinvv, rv).sub(rv).fma(qv, high);
        DoubleVector lr = low.fma(qinvv, rv).sub(rv).fma(qv, low);
        DoubleVector f = hr.fma(scale, lr);
        return f.fma(qinvv, rv).sub(rv).fma(qv, f);
    }

    /** A reduced value made canonical ({@code qv} is {@code -q}). */
    private static LongVector canonical(DoubleVector v, DoubleVector qv) {
        return (LongVector) v.sub(qv, v.lt(0.0)).convert(VectorOperators.D2L, 0);
    }
}
