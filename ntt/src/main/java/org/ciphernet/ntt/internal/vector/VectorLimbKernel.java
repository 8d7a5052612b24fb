package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.internal.LimbKernel;
import org.ciphernet.ntt.internal.PreparedSums;
import org.ciphernet.ntt.internal.ScalarLimbKernel;

/**
 * Vector-API element-wise limb arithmetic. Additions work on {@code LongVector} lanes for every
 * modulus; products use the double/FMA arithmetic of {@link DoubleModMath} for moduli below 2^50
 * and fall back to the exact scalar kernel above. Tails shorter than a vector use the scalar kernel.
 *
 * <p>Multiply-accumulate adds signed products {@code |T| < 0.875q} in a double accumulator that
 * starts below q (canonical or reduced) and reduces it only when the next term could push it past
 * {@code 2^52}: every {@code floor((2^52 - q) / 0.875q)} terms (about 4,700 for 40-bit primes, 3 for
 * primes just below 2^50, 7 at 2^49), plus once at the end.
 *
 * <p>Sparse weighted sums (batched linear layers) over primes below about 2^32 take the cheaper
 * exact path of {@link SplitWeightSums}: two fused multiply-adds per term and one reduction per
 * dozens of terms.
 */
final class VectorLimbKernel implements LimbKernel {
    private static final double ROUND = DoubleModMath.ROUND;
    private static final VectorSpecies<Double> DS = VectorNtt.DS;
    private static final VectorSpecies<Long> LS = VectorNtt.LS;
    private static final int L = VectorNtt.L;

    private final ScalarLimbKernel scalar;
    private final long q;
    private final boolean doublePath;
    private final double qd;
    private final double qinv;
    /** Elements per block of the blocked multiply-accumulate (2 KiB of partial sums). */
    private static final int BLOCK = 256;
    private static final ThreadLocal<double[]> blockScratch = ThreadLocal.withInitial(() -> new double[BLOCK]);
    private static final ThreadLocal<double[][]> blockScratch4 = ThreadLocal.withInitial(() -> new double[4][BLOCK]);
    private static final ThreadLocal<double[][]> blockScratch2 = ThreadLocal.withInitial(() -> new double[2][BLOCK]);
    /** Products a reduced accumulator can absorb before it must be reduced again. */
    private final int termsPerReduction;
    /** Sparse weighted sums with split weights, for primes small enough; null otherwise. */
    private final SplitWeightSums split;

    VectorLimbKernel(Modulus m) {
        this.scalar = new ScalarLimbKernel(m);
        this.q = m.value();
        this.doublePath = m.fitsDoublePath();
        this.qd = q;
        this.qinv = 1.0 / q;
        // accumulator starts canonical (< q) or reduced (<= q/2 + 1); each product adds < 0.875q
        double start = Math.max(qd, DoubleModMath.reducedBound(qd));
        this.termsPerReduction = doublePath
                ? (int) Math.max(1, Math.floor((DoubleModMath.LIMIT - start) / DoubleModMath.up(0.875 * qd)))
                : 0;
        this.split = SplitWeightSums.forModulus(q);
    }

    /** Whether this kernel can run on this machine (the preferred vector shape has 64-bit lanes to spare). */
    static boolean supported() {
        return L >= 2 && LS.length() == L;
    }

    private int bound(int len) {
        return len - len % L;
    }

    @Override
    public long modulus() {
        return q;
    }

    @Override
    public void add(long[] a, long[] b, long[] out, int len) {
        LongVector qv = LongVector.broadcast(LS, q);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            LongVector s = LongVector.fromArray(LS, a, i).add(LongVector.fromArray(LS, b, i));
            s.sub(qv, s.compare(VectorOperators.GE, qv)).intoArray(out, i);
        }
        scalar.add(a, b, out, i, len);
    }

    @Override
    public void addScalar(long[] a, long s, long[] out, int len) {
        LongVector qv = LongVector.broadcast(LS, q);
        LongVector sv = LongVector.broadcast(LS, s);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            LongVector t = LongVector.fromArray(LS, a, i).add(sv);
            t.sub(qv, t.compare(VectorOperators.GE, qv)).intoArray(out, i);
        }
        scalar.addScalar(a, s, out, i, len);
    }

    @Override
    public void sub(long[] a, long[] b, long[] out, int len) {
        LongVector qv = LongVector.broadcast(LS, q);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            LongVector d = LongVector.fromArray(LS, a, i).sub(LongVector.fromArray(LS, b, i));
            d.add(qv, d.compare(VectorOperators.LT, 0L)).intoArray(out, i);
        }
        scalar.sub(a, b, out, i, len);
    }

    @Override
    public void negate(long[] a, long[] out, int len) {
        LongVector qv = LongVector.broadcast(LS, q);
        LongVector zero = LongVector.zero(LS);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            LongVector x = LongVector.fromArray(LS, a, i);
            VectorMask<Long> nz = x.compare(VectorOperators.NE, 0L);
            zero.blend(qv.sub(x), nz).intoArray(out, i);
        }
        scalar.negate(a, out, i, len);
    }

    @Override
    public void liftCentered(long[] a, long p, long[] out, int len) {
        if (!doublePath || p >= (1L << 52)) {
            scalar.liftCentered(a, p, out, 0, len);
            return;
        }
        // |v| <= p/2 < 2^51 converts exactly; the reduction of DoubleModMath leaves |r| <= (q+1)/2
        LongVector pv = LongVector.broadcast(LS, p);
        long half = p >>> 1;
        DoubleVector qv = DoubleVector.broadcast(DS, -qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            LongVector v = LongVector.fromArray(LS, a, i);
            DoubleVector x = (DoubleVector) v.sub(pv, v.compare(VectorOperators.GT, half)).convert(VectorOperators.L2D, 0);
            DoubleVector r = x.fma(qinvv, rv).sub(rv).fma(qv, x);
            ((LongVector) r.sub(qv, r.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(out, i);
        }
        scalar.liftCentered(a, p, out, i, len);
    }

    // The modular arithmetic is written out in each loop (see VectorNtt): with qv = -q, R = ROUND,
    // hi = x*y, k = fma(hi, qinv, R) - R, T = fma(k, qv, hi) + fma(x, y, -hi) is x*y mod q with
    // |T| <= 0.75q (DoubleModMath); the schedule below uses the looser 0.875q.

    @Override
    public void multiply(long[] a, long[] b, long[] out, int len) {
        if (!doublePath) {
            scalar.multiply(a, b, out, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector x = (DoubleVector) LongVector.fromArray(LS, a, i).convert(VectorOperators.L2D, 0);
            DoubleVector y = (DoubleVector) LongVector.fromArray(LS, b, i).convert(VectorOperators.L2D, 0);
            DoubleVector hi = x.mul(y);
            DoubleVector t = hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(y, hi.neg()));
            ((LongVector) t.sub(qv, t.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(out, i);
        }
        scalar.multiply(a, b, out, i, len);
    }

    @Override
    public void multiplyScalar(long[] a, long s, long[] out, int len) {
        if (!doublePath) {
            scalar.multiplyScalar(a, s, out, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        DoubleVector sv = DoubleVector.broadcast(DS, (double) s);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector x = (DoubleVector) LongVector.fromArray(LS, a, i).convert(VectorOperators.L2D, 0);
            DoubleVector hi = x.mul(sv);
            DoubleVector t = hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(sv, hi.neg()));
            ((LongVector) t.sub(qv, t.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(out, i);
        }
        scalar.multiplyScalar(a, s, out, i, len);
    }

    @Override
    public void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulate(acc, b, c, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        int per = termsPerReduction;
        double[] s = blockScratch.get();
        int end = bound(len);
        // Blocked: each term's operands stream through one block at a time while the partial sums
        // stay in an L1-resident buffer (a vector-at-a-time loop over all terms would touch 2*terms
        // arrays at once and defeat the hardware prefetchers).
        for (int base = 0; base < end; base += BLOCK) {
            int blockEnd = Math.min(end, base + BLOCK);
            for (int i = base; i < blockEnd; i += L) {
                ((DoubleVector) LongVector.fromArray(LS, acc, i).convert(VectorOperators.L2D, 0)).intoArray(s, i - base);
            }
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    long[] bt = b[t];
                    long[] ct = c[t];
                    for (int i = base; i < blockEnd; i += L) {
                        DoubleVector x = (DoubleVector) LongVector.fromArray(LS, bt, i).convert(VectorOperators.L2D, 0);
                        DoubleVector y = (DoubleVector) LongVector.fromArray(LS, ct, i).convert(VectorOperators.L2D, 0);
                        DoubleVector hi = x.mul(y);
                        DoubleVector sum = DoubleVector.fromArray(DS, s, i - base);
                        sum.add(hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(y, hi.neg()))).intoArray(s, i - base);
                    }
                }
                for (int i = base; i < blockEnd; i += L) {
                    DoubleVector sum = DoubleVector.fromArray(DS, s, i - base);
                    sum.fma(qinvv, rv).sub(rv).fma(qv, sum).intoArray(s, i - base);
                }
            }
            for (int i = base; i < blockEnd; i += L) {
                DoubleVector sum = DoubleVector.fromArray(DS, s, i - base);
                ((LongVector) sum.sub(qv, sum.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(acc, i);
            }
        }
        scalar.multiplyAccumulate(acc, b, c, terms, end, len);
    }

    @Override
    public void multiplyAccumulatePair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulatePair(acc0, acc1, b, c0, c1, terms, len);
            return;
        }
        doublePathPair(acc0, acc1, b, c0, c1, terms, len);
    }

    /**
     * Both pair sums on the double path. Each sum follows {@link #multiplyAccumulate} exactly: the
     * same blocks, the same signed product per lane, a reduction after every {@code termsPerReduction}
     * terms and the same canonical store, so the accumulators come out as two separate calls would
     * leave them. The accumulators are distinct and are not operands (the façade checks), so keeping
     * both partial sums in scratch until the block is stored reads nothing either sum has written.
     */
    private void doublePathPair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1, int terms, int len) {
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        double[][] sums = blockScratch2.get();
        double[] u0 = sums[0];
        double[] u1 = sums[1];
        int per = termsPerReduction;
        int end = bound(len);
        // blocked as multiplyAccumulate; each b[t] vector is loaded once for both sums
        for (int base = 0; base < end; base += BLOCK) {
            int blockEnd = Math.min(end, base + BLOCK);
            load(acc0, u0, base, blockEnd);
            load(acc1, u1, base, blockEnd);
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    long[] bt = b[t];
                    long[] c0t = c0[t];
                    long[] c1t = c1[t];
                    for (int i = base; i < blockEnd; i += L) {
                        DoubleVector x = (DoubleVector) LongVector.fromArray(LS, bt, i).convert(VectorOperators.L2D, 0);
                        accumulate2(x, c0t, c1t, u0, u1, i, i - base, qv, qinvv, rv);
                    }
                }
                reduce(u0, base, blockEnd, qv, qinvv, rv);
                reduce(u1, base, blockEnd, qv, qinvv, rv);
            }
            store(u0, acc0, base, blockEnd, qv);
            store(u1, acc1, base, blockEnd, qv);
        }
        scalar.multiplyAccumulatePair(acc0, acc1, b, c0, c1, terms, end, len);
    }

    /** {@code u0[j] += x·c0t[i]} and {@code u1[j] += x·c1t[i]} as signed products (the term of multiplyAccumulate). */
    private static void accumulate2(DoubleVector x, long[] c0t, long[] c1t, double[] u0, double[] u1, int i, int j,
            DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        DoubleVector y0 = (DoubleVector) LongVector.fromArray(LS, c0t, i).convert(VectorOperators.L2D, 0);
        DoubleVector y1 = (DoubleVector) LongVector.fromArray(LS, c1t, i).convert(VectorOperators.L2D, 0);
        DoubleVector.fromArray(DS, u0, j).add(product(x, y0, qv, qinvv, rv)).intoArray(u0, j);
        DoubleVector.fromArray(DS, u1, j).add(product(x, y1, qv, qinvv, rv)).intoArray(u1, j);
    }


    @Override
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulateScalars(acc, b, s, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        int per = termsPerReduction;
        double[] sums = blockScratch.get();
        int end = bound(len);
        // Blocked like multiplyAccumulate: each operand streams through one block while the partial
        // sums stay in L1 (a vector-at-a-time loop over hundreds of operands defeats the prefetchers).
        for (int base = 0; base < end; base += BLOCK) {
            int blockEnd = Math.min(end, base + BLOCK);
            load(acc, sums, base, blockEnd);
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    long[] bt = b[t];
                    double y = (double) s[t];
                    for (int i = base; i < blockEnd; i += L) {
                        DoubleVector x = (DoubleVector) LongVector.fromArray(LS, bt, i).convert(VectorOperators.L2D, 0);
                        DoubleVector.fromArray(DS, sums, i - base).add(product(x, y, qv, qinvv, rv)).intoArray(sums, i - base);
                    }
                }
                reduce(sums, base, blockEnd, qv, qinvv, rv);
            }
            store(sums, acc, base, blockEnd, qv);
        }
        scalar.multiplyAccumulateScalars(acc, b, s, terms, end, len);
    }

    @Override
    public void multiplyAccumulateScalars4(long[][] acc, long[][] b, long[][] s, int terms, int len) {
        if (!doublePath) {
            LimbKernel.super.multiplyAccumulateScalars4(acc, b, s, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        double[][] sums = blockScratch4.get();
        double[] u0 = sums[0];
        double[] u1 = sums[1];
        double[] u2 = sums[2];
        double[] u3 = sums[3];
        int per = termsPerReduction;
        int end = bound(len);
        // blocked as above; each operand vector is loaded once for the four rows
        for (int base = 0; base < end; base += BLOCK) {
            int blockEnd = Math.min(end, base + BLOCK);
            for (int r = 0; r < 4; r++) {
                load(acc[r], sums[r], base, blockEnd);
            }
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    long[] bt = b[t];
                    double y0 = (double) s[0][t];
                    double y1 = (double) s[1][t];
                    double y2 = (double) s[2][t];
                    double y3 = (double) s[3][t];
                    for (int i = base; i < blockEnd; i += L) {
                        DoubleVector x = (DoubleVector) LongVector.fromArray(LS, bt, i).convert(VectorOperators.L2D, 0);
                        int j = i - base;
                        DoubleVector.fromArray(DS, u0, j).add(product(x, y0, qv, qinvv, rv)).intoArray(u0, j);
                        DoubleVector.fromArray(DS, u1, j).add(product(x, y1, qv, qinvv, rv)).intoArray(u1, j);
                        DoubleVector.fromArray(DS, u2, j).add(product(x, y2, qv, qinvv, rv)).intoArray(u2, j);
                        DoubleVector.fromArray(DS, u3, j).add(product(x, y3, qv, qinvv, rv)).intoArray(u3, j);
                    }
                }
                for (int r = 0; r < 4; r++) {
                    reduce(sums[r], base, blockEnd, qv, qinvv, rv);
                }
            }
            for (int r = 0; r < 4; r++) {
                store(sums[r], acc[r], base, blockEnd, qv);
            }
        }
        for (int r = 0; r < 4; r++) {
            scalar.multiplyAccumulateScalars(acc[r], b, s[r], terms, end, len);
        }
    }

    /**
     * Rows with repeated weights are grouped only in the split path, and only above
     * {@link SplitWeightSums#MIN_TERMS_PER_WEIGHT}: the scalar grouping of {@link org.ciphernet.ntt.internal.GroupedSums}
     * adds one element at a time and was 1.7–5× slower here than the vectorized term-by-term sums
     * (40-bit prime, 845-term rows, K = 8–211 weights per row).
     */
    @Override
    public PreparedSums prepareSparseSums(int[][] columns, long[][] weights, int inputs, boolean group) {
        PreparedSums general = LimbKernel.super.prepareSparseSums(columns, weights, inputs, false);
        return split == null ? general
                : split.prepare(columns, weights, inputs, general, group ? SplitWeightSums.MIN_TERMS_PER_WEIGHT : 0);
    }

    private static void load(long[] acc, double[] sums, int base, int blockEnd) {
        for (int i = base; i < blockEnd; i += L) {
            ((DoubleVector) LongVector.fromArray(LS, acc, i).convert(VectorOperators.L2D, 0)).intoArray(sums, i - base);
        }
    }

    private static void reduce(double[] sums, int base, int blockEnd, DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        for (int i = base; i < blockEnd; i += L) {
            DoubleVector sum = DoubleVector.fromArray(DS, sums, i - base);
            sum.fma(qinvv, rv).sub(rv).fma(qv, sum).intoArray(sums, i - base);
        }
    }

    private static void store(double[] sums, long[] acc, int base, int blockEnd, DoubleVector qv) {
        for (int i = base; i < blockEnd; i += L) {
            DoubleVector sum = DoubleVector.fromArray(DS, sums, i - base);
            ((LongVector) sum.sub(qv, sum.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(acc, i);
        }
    }

    /** {@code x·y} for two vectors, reduced like {@link #product(DoubleVector, double, DoubleVector, DoubleVector, DoubleVector)}. */
    private static DoubleVector product(DoubleVector x, DoubleVector y, DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        DoubleVector hi = x.mul(y);
        return hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(y, hi.neg()));
    }

    /** {@code x·y} reduced to a small signed representative (the term of the sums above). */
    private static DoubleVector product(DoubleVector x, double y, DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        DoubleVector yv = DoubleVector.broadcast(DS, y);
        DoubleVector hi = x.mul(yv);
        return hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(yv, hi.neg()));
    }
}
