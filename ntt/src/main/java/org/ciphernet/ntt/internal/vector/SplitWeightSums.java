package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ciphernet.ntt.internal.PreparedSums;
import org.ciphernet.ntt.internal.WeightGroups;

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
 * <p>See {@link #prepare} and {@link Prepared#apply} for the loop: spans of tiles of coefficients,
 * inputs converted once per span, and each row's (or pair of rows') sums in registers per tile.
 *
 * <p><b>Grouped rows.</b> A row with at least {@link #MIN_TERMS_PER_WEIGHT} terms per distinct weight
 * is run in its grouped form ({@link WeightGroups}): per tile, the operands of each group are added
 * in plain double lanes (block by block of operands, every grouped row in turn, so that a block
 * stays in L1), each sum reduced once, and the row's terms are then the group sums with the
 * distinct weights. Invariant: an operand is an integer {@code 0 <= x <= q-1} (converted from a
 * canonical residue, or 0 for a null operand); a group sum starts at 0 and absorbs at most
 * {@code m = floor((2^52 - q)/q)} operands (a row with more terms is not grouped) before it is
 * reduced, so {@code |s| <= m(q-1) <= 2^52}: every partial sum is an integer below 2^53, exact in a
 * double, and within the range where the reduction of {@link DoubleModMath} is exact and returns
 * {@code |r| <= (q+1)/2}. (For {@code q < 2^33}, m is at least 2^19, more terms than any row has.)
 * The reduced group sum, {@code |r| <= (q+1)/2 <= q-1} for {@code q >= 3}, is an
 * operand within the bound {@link #termBound} assumes ({@code (q-1)·|y|}), so the folds stay exact
 * and the row's result is the exact residue of {@code Σ_g w_g·s_g = Σ_k w_k·x_k (mod q)}: the same
 * canonical bits as the term-by-term form.
 */
final class SplitWeightSums {
    private static final VectorSpecies<Double> DS = VectorNtt.DS;
    private static final VectorSpecies<Long> LS = VectorNtt.LS;
    private static final int L = VectorNtt.L;
    private static final double ROUND = DoubleModMath.ROUND;
    /** Fewest terms per fold for which the split is worth it. */
    private static final int MIN_TERMS_PER_FOLD = 16;
    /**
     * Fewest terms per distinct weight for which a row is grouped by default: never, on the
     * machine measured. Term-by-term rows of the same columns go in pairs that load each operand
     * tile once for both (eight fused multiply-adds per row and term), already close to the loads'
     * limit; the grouped form trades them for four additions but moves each group's partial sums
     * through L2 once per block, and was 1.1× slower at K = 8 weights per row, 1.5× at 16 and 3.5×
     * at 64 (30-bit prime, 100 rows × 845 terms; bench/RESULTS.md, "Issue 17"). The grouped path stays, exact and tested
     * ({@code SplitWeightSumsTest}), for machines where loads are cheaper relative to fused
     * multiply-adds: the system property {@code ciphernet.vector.groupMinTermsPerWeight=n} turns it
     * on for rows of at least n terms per distinct weight (the results are the same bits either way).
     */
    static final int MIN_TERMS_PER_WEIGHT = Math.max(1, Integer.getInteger("ciphernet.vector.groupMinTermsPerWeight", Integer.MAX_VALUE));

    private final long q;
    private final double qd;
    private final double qinv;
    private final int h;
    private final double twoToH;
    private final int termsPerFold;
    /** Operands a group sum absorbs between reductions (see the class comment). */
    private final int addsPerReduction;

    private SplitWeightSums(long q, int h, int termsPerFold) {
        this.q = q;
        this.qd = q;
        this.qinv = 1.0 / q;
        this.h = h;
        this.twoToH = 1L << h;
        this.termsPerFold = termsPerFold;
        this.addsPerReduction = (int) Math.min(1 << 20, Math.floor((DoubleModMath.LIMIT - q) / q));
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

    /** Coefficients per tile: four vectors, whose low and high sums (two rows' worth) stay in registers. */
    static final int TILE = 4 * L;
    /** Tiles per span of {@link Prepared#apply}: 128 coefficients with 8-lane vectors. */
    static final int SPAN_TILES = 4;
    private static final ThreadLocal<double[][]> tileScratch = ThreadLocal.withInitial(() -> new double[1][0]);
    private static final ThreadLocal<double[][]> groupScratch = ThreadLocal.withInitial(() -> new double[1][0]);

    /**
     * Prepares {@code out[r] = Σ_k weights[r][k] · in[columns[r][k]]} (validated rows, canonical
     * weights): each weight is split once, and rows reading the same columns (the channels of one
     * output position of a convolution, every row of a dense layer) are paired so that each operand
     * vector is loaded once for both. Rows with at least {@code minTermsPerWeight} terms per
     * distinct weight are grouped (never paired; {@code 0} groups none). Ranges that are not whole
     * tiles go to {@code general}.
     */
    PreparedSums prepare(int[][] columns, long[][] weights, int inputs, PreparedSums general, int minTermsPerWeight) {
        int rows = columns.length;
        int[][] offsets = new int[rows][];
        double[][] lows = new double[rows][];
        double[][] highs = new double[rows][];
        GroupedTiles grouped = new GroupedTiles(rows, inputs);
        boolean[] used = new boolean[inputs];
        int threshold = inputs < 1 << 21 ? minTermsPerWeight : 0; // the segment keys hold columns below 2^21
        for (int r = 0; r < rows; r++) {
            WeightGroups wg = WeightGroups.of(columns[r], weights[r], threshold);
            if (wg != null && wg.terms() > addsPerReduction) {
                wg = null; // each group's sum is reduced once, at the end (never met: 2^19 terms and more)
            }
            int[] cols = columns[r];
            long[] ws = weights[r];
            if (wg != null) {
                grouped.add(r, wg, used);
                cols = new int[wg.groups()];
                for (int g = 0; g < cols.length; g++) {
                    cols[g] = g; // the row's terms are its group sums, at groupBase + g·TILE in the group buffer
                }
                ws = wg.weights();
            }
            int terms = cols.length;
            offsets[r] = new int[terms];
            lows[r] = new double[terms];
            highs[r] = new double[terms];
            for (int k = 0; k < terms; k++) {
                int c = cols[k];
                if (wg == null) {
                    used[c] = true;
                }
                long y = DoubleModMath.signed(ws[k], q);
                long yh = (y + (1L << (h - 1))) >> h;
                offsets[r][k] = c * TILE;
                highs[r][k] = yh;
                lows[r][k] = y - (yh << h);
            }
        }
        // pair rows with equal columns, in order of their first row
        java.util.Map<ColumnsKey, java.util.ArrayDeque<Integer>> waiting = new java.util.HashMap<>();
        int[] first = new int[rows];
        int[] second = new int[rows];
        int groups = 0;
        int[] groupOf = new int[rows];
        for (int r = 0; r < rows; r++) {
            if (grouped.isGrouped(r)) {
                first[groups] = r;
                second[groups] = -1;
                groupOf[r] = groups++;
                continue;
            }
            java.util.ArrayDeque<Integer> open = waiting.computeIfAbsent(new ColumnsKey(columns[r]), key -> new java.util.ArrayDeque<>());
            if (open.isEmpty()) {
                first[groups] = r;
                second[groups] = -1;
                groupOf[r] = groups++;
                open.add(r);
            } else {
                second[groupOf[open.poll()]] = r;
            }
        }
        return new Prepared(inputs, used, offsets, lows, highs, java.util.Arrays.copyOf(first, groups),
                java.util.Arrays.copyOf(second, groups), general,
                grouped);
    }

    private record ColumnsKey(int[] columns) {
        @Override
        public boolean equals(Object o) {
            return o instanceof ColumnsKey k && java.util.Arrays.equals(columns, k.columns);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(columns);
        }
    }

    /** Rows prepared by {@link #prepare}: groups of one row, or two rows of the same columns. */
    private final class Prepared implements PreparedSums {
        private final int inputs;
        private final boolean[] used;
        private final int[][] offsets;
        private final double[][] lows;
        private final double[][] highs;
        private final int[] first;
        private final int[] second;
        private final PreparedSums general;
        private final GroupedTiles grouped;

        Prepared(int inputs, boolean[] used, int[][] offsets, double[][] lows, double[][] highs, int[] first, int[] second,
                PreparedSums general, GroupedTiles grouped) {
            this.grouped = grouped;
            this.inputs = inputs;
            this.used = used;
            this.offsets = offsets;
            this.lows = lows;
            this.highs = highs;
            this.first = first;
            this.second = second;
            this.general = general;
        }

        /**
         * Per span of {@link #SPAN_TILES} tiles every used input is converted to doubles once into a
         * buffer laid out tile by tile (per tile, inputs × 256 bytes with 8-lane vectors, read as one
         * stream by every row; the whole span in L2 for up to about a thousand inputs), then each group
         * runs its terms tile by tile with its sums in registers. Spans rather than single tiles make
         * each input and output array be read or written a kilobyte at a time, which keeps the
         * memory accesses few and sequential when the operands do not fit the caches.
         */
        @Override
        public void apply(long[][] in, long[][] out, int from, int to) {
            if ((to - from) % TILE != 0) {
                general.apply(in, out, from, to);
                return;
            }
            int tiles = (to - from) % (SPAN_TILES * TILE) == 0 ? SPAN_TILES : 1;
            int stride = inputs * TILE; // between the same input's slices of consecutive tiles
            double[][] holder = tileScratch.get();
            if (holder[0].length < tiles * stride) {
                holder[0] = new double[tiles * stride];
            }
            double[] xs = holder[0];
            double[][] gholder = groupScratch.get();
            if (gholder[0].length < grouped.size()) {
                gholder[0] = new double[grouped.size()];
            }
            double[] gs = gholder[0];
            double[] sums = new double[16 * L];
            DoubleVector qv = DoubleVector.broadcast(DS, -qd);
            DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
            DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
            DoubleVector scale = DoubleVector.broadcast(DS, twoToH);
            for (int base = from; base < to; base += tiles * TILE) {
                for (int c = 0; c < inputs; c++) {
                    if (used[c]) {
                        long[] a = in[c];
                        for (int t = 0; t < tiles; t++) {
                            int o = t * stride + c * TILE;
                            if (a == null) {
                                java.util.Arrays.fill(xs, o, o + TILE, 0.0);
                                continue;
                            }
                            for (int j = 0; j < TILE; j += L) {
                                ((DoubleVector) LongVector.fromArray(LS, a, base + t * TILE + j).convert(VectorOperators.L2D, 0))
                                        .intoArray(xs, o + j);
                            }
                        }
                    }
                }
                for (int g = 0; g < first.length; g++) {
                    int a = first[g];
                    int b = second[g];
                    for (int t = 0; t < tiles; t++) {
                        int at = base + t * TILE;
                        if (grouped.isGrouped(a)) {
                            continue; // below
                        } else if (b >= 0) {
                            rowPair(xs, t * stride, offsets[a], lows[a], highs[a], lows[b], highs[b], out[a], out[b], at,
                                    qv, qinvv, rv, scale, sums);
                        } else {
                            row(xs, t * stride, offsets[a], lows[a], highs[a], out[a], at, qv, qinvv, rv, scale, sums);
                        }
                    }
                }
                if (grouped.rows().length > 0) {
                    for (int t = 0; t < tiles; t++) {
                        grouped.sums(xs, t * stride, gs, qv, qinvv, rv);
                        for (int a : grouped.rows()) {
                            row(gs, grouped.base(a), offsets[a], lows[a], highs[a], out[a], base + t * TILE, qv, qinvv, rv, scale, sums);
                        }
                    }
                }
            }
        }

    }

    /**
     * One row's sums over one tile. The terms run in chunks of at most {@link #termsPerFold}, each
     * a single loop with its eight partial sums in registers (nesting the chunk loop around them
     * makes C2 box the vectors).
     */
    private void row(double[] xs, int j, int[] off, double[] wl, double[] wh, long[] o, int at,
            DoubleVector qv, DoubleVector qinvv, DoubleVector rv, DoubleVector scale, double[] sums) {
        java.util.Arrays.fill(sums, 0, 8 * L, 0.0);
        int terms = off.length;
        for (int t0 = 0; t0 < terms; t0 += termsPerFold) {
            chunk(xs, j, off, wl, wh, t0, Math.min(terms, t0 + termsPerFold), sums);
            foldRow(sums, 0, qv, qinvv, rv, scale);
        }
        storeRow(sums, 0, o, at, qv);
    }

    /** {@link #row} for two rows of the same columns, each operand vector loaded once for both. */
    private void rowPair(double[] xs, int j, int[] off, double[] wla, double[] wha, double[] wlb, double[] whb,
            long[] oa, long[] ob, int at, DoubleVector qv, DoubleVector qinvv, DoubleVector rv, DoubleVector scale,
            double[] sums) {
        java.util.Arrays.fill(sums, 0.0);
        int terms = off.length;
        for (int t0 = 0; t0 < terms; t0 += termsPerFold) {
            chunkPair(xs, j, off, wla, wha, wlb, whb, t0, Math.min(terms, t0 + termsPerFold), sums);
            foldRow(sums, 0, qv, qinvv, rv, scale);
            foldRow(sums, 8 * L, qv, qinvv, rv, scale);
        }
        storeRow(sums, 0, oa, at, qv);
        storeRow(sums, 8 * L, ob, at, qv);
    }

    /** Folds one row's sums (low at {@code sums[base, base + 4L)}, high after them) into the low ones and clears the high. */
    private static void foldRow(double[] sums, int base, DoubleVector qv, DoubleVector qinvv, DoubleVector rv, DoubleVector scale) {
        for (int v = 0; v < 4; v++) {
            int lo = base + v * L;
            int hi = base + (4 + v) * L;
            fold(DoubleVector.fromArray(DS, sums, hi), DoubleVector.fromArray(DS, sums, lo), qv, qinvv, rv, scale).intoArray(sums, lo);
            DoubleVector.zero(DS).intoArray(sums, hi);
        }
    }

    /** Stores one row's folded sums, made canonical, to {@code o[at, at + 4L)}. */
    private static void storeRow(double[] sums, int base, long[] o, int at, DoubleVector qv) {
        for (int v = 0; v < 4; v++) {
            canonical(DoubleVector.fromArray(DS, sums, base + v * L), qv).intoArray(o, at + v * L);
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
