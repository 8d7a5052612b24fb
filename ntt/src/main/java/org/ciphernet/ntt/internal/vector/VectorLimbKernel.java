package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.ciphernet.ntt.Modulus;
import org.ciphernet.ntt.internal.LimbKernel;
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
 */
public final class VectorLimbKernel implements LimbKernel {
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
    /** Products a reduced accumulator can absorb before it must be reduced again. */
    private final int termsPerReduction;

    public VectorLimbKernel(Modulus m) {
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
    }

    /** Whether this kernel can run on this machine (the preferred vector shape has 64-bit lanes to spare). */
    public static boolean supported() {
        return L >= 2 && LS.length() == L;
    }

    private int bound(int len) {
        return len - len % L;
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
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulateScalars(acc, b, s, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, -qd); // negated, as the formulas use -q
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector rv = DoubleVector.broadcast(DS, ROUND);
        int per = termsPerReduction;
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector sum = (DoubleVector) LongVector.fromArray(LS, acc, i).convert(VectorOperators.L2D, 0);
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    DoubleVector x = (DoubleVector) LongVector.fromArray(LS, b[t], i).convert(VectorOperators.L2D, 0);
                    DoubleVector y = DoubleVector.broadcast(DS, (double) s[t]);
                    DoubleVector hi = x.mul(y);
                    sum = sum.add(hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(y, hi.neg())));
                }
                sum = sum.fma(qinvv, rv).sub(rv).fma(qv, sum);
            }
            ((LongVector) sum.sub(qv, sum.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(acc, i);
        }
        scalar.multiplyAccumulateScalars(acc, b, s, terms, i, len);
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
        long[] a0 = acc[0];
        long[] a1 = acc[1];
        long[] a2 = acc[2];
        long[] a3 = acc[3];
        long[] s0 = s[0];
        long[] s1 = s[1];
        long[] s2 = s[2];
        long[] s3 = s[3];
        int per = termsPerReduction;
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector u0 = (DoubleVector) LongVector.fromArray(LS, a0, i).convert(VectorOperators.L2D, 0);
            DoubleVector u1 = (DoubleVector) LongVector.fromArray(LS, a1, i).convert(VectorOperators.L2D, 0);
            DoubleVector u2 = (DoubleVector) LongVector.fromArray(LS, a2, i).convert(VectorOperators.L2D, 0);
            DoubleVector u3 = (DoubleVector) LongVector.fromArray(LS, a3, i).convert(VectorOperators.L2D, 0);
            for (int t0 = 0; t0 < terms; t0 += per) {
                for (int t = t0, tEnd = Math.min(terms, t0 + per); t < tEnd; t++) {
                    DoubleVector x = (DoubleVector) LongVector.fromArray(LS, b[t], i).convert(VectorOperators.L2D, 0);
                    u0 = u0.add(product(x, s0[t], qv, qinvv, rv));
                    u1 = u1.add(product(x, s1[t], qv, qinvv, rv));
                    u2 = u2.add(product(x, s2[t], qv, qinvv, rv));
                    u3 = u3.add(product(x, s3[t], qv, qinvv, rv));
                }
                u0 = u0.fma(qinvv, rv).sub(rv).fma(qv, u0);
                u1 = u1.fma(qinvv, rv).sub(rv).fma(qv, u1);
                u2 = u2.fma(qinvv, rv).sub(rv).fma(qv, u2);
                u3 = u3.fma(qinvv, rv).sub(rv).fma(qv, u3);
            }
            ((LongVector) u0.sub(qv, u0.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a0, i);
            ((LongVector) u1.sub(qv, u1.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a1, i);
            ((LongVector) u2.sub(qv, u2.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a2, i);
            ((LongVector) u3.sub(qv, u3.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a3, i);
        }
        for (int r = 0; r < 4; r++) {
            scalar.multiplyAccumulateScalars(acc[r], b, s[r], terms, i, len);
        }
    }

    /** {@code x·y} reduced to a small signed representative (the term of the sums above). */
    private static DoubleVector product(DoubleVector x, long y, DoubleVector qv, DoubleVector qinvv, DoubleVector rv) {
        DoubleVector yv = DoubleVector.broadcast(DS, (double) y);
        DoubleVector hi = x.mul(yv);
        return hi.fma(qinvv, rv).sub(rv).fma(qv, hi).add(x.fma(yv, hi.neg()));
    }
}
