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
 * <p>Multiply-accumulate adds signed products {@code |T| < 0.875q} in a double accumulator and
 * reduces it only when the next term could push it past {@code 2^52}: every
 * {@code floor((2^52 - q/2 - 1) / 0.875q)} terms (256+ terms for 42-bit primes, 5 for 50-bit).
 */
public final class VectorLimbKernel implements LimbKernel {
    private static final VectorSpecies<Double> DS = VectorNtt.DS;
    private static final VectorSpecies<Long> LS = VectorNtt.LS;
    private static final int L = VectorNtt.L;

    private final ScalarLimbKernel scalar;
    private final long q;
    private final boolean doublePath;
    private final double qd;
    private final double qinv;
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

    private static DoubleVector toDouble(long[] a, int i) {
        return (DoubleVector) LongVector.fromArray(LS, a, i).convert(VectorOperators.L2D, 0);
    }

    private static DoubleVector rne(DoubleVector x) {
        return x.add(DoubleModMath.ROUND).sub(DoubleModMath.ROUND);
    }

    /** Signed {@code a*b mod q} in {@code (-0.875q, 0.875q)} for canonical a, b (see DoubleModMath). */
    private static DoubleVector mulSigned(DoubleVector a, DoubleVector b, DoubleVector qv, DoubleVector qinvv) {
        DoubleVector hi = a.mul(b);
        DoubleVector lo = a.fma(b, hi.neg());
        DoubleVector k = rne(hi.mul(qinvv));
        return k.neg().fma(qv, hi).add(lo);
    }

    @Override
    public void multiply(long[] a, long[] b, long[] out, int len) {
        if (!doublePath) {
            scalar.multiply(a, b, out, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector t = mulSigned(toDouble(a, i), toDouble(b, i), qv, qinvv);
            t = t.add(qv, t.compare(VectorOperators.LT, 0.0));
            ((LongVector) t.convert(VectorOperators.D2L, 0)).intoArray(out, i);
        }
        scalar.multiply(a, b, out, i, len);
    }

    @Override
    public void multiplyScalar(long[] a, long s, long[] out, int len) {
        if (!doublePath) {
            scalar.multiplyScalar(a, s, out, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        DoubleVector sv = DoubleVector.broadcast(DS, (double) s);
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector t = mulSigned(toDouble(a, i), sv, qv, qinvv);
            t = t.add(qv, t.compare(VectorOperators.LT, 0.0));
            ((LongVector) t.convert(VectorOperators.D2L, 0)).intoArray(out, i);
        }
        scalar.multiplyScalar(a, s, out, i, len);
    }

    @Override
    public void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulate(acc, b, c, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        int per = termsPerReduction;
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector s = toDouble(acc, i);
            int sinceReduce = 0;
            for (int t = 0; t < terms; t++) {
                if (sinceReduce == per) {
                    s = VectorNtt.reduce(s, qv, qinvv);
                    sinceReduce = 0;
                }
                s = s.add(mulSigned(toDouble(b[t], i), toDouble(c[t], i), qv, qinvv));
                sinceReduce++;
            }
            VectorNtt.storeCanonical(s, qv, qinvv, acc, i);
        }
        scalar.multiplyAccumulate(acc, b, c, terms, i, len);
    }

    @Override
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int len) {
        if (!doublePath) {
            scalar.multiplyAccumulateScalars(acc, b, s, terms, len);
            return;
        }
        DoubleVector qv = DoubleVector.broadcast(DS, qd);
        DoubleVector qinvv = DoubleVector.broadcast(DS, qinv);
        int per = termsPerReduction;
        int i = 0;
        for (int end = bound(len); i < end; i += L) {
            DoubleVector sum = toDouble(acc, i);
            int sinceReduce = 0;
            for (int t = 0; t < terms; t++) {
                if (sinceReduce == per) {
                    sum = VectorNtt.reduce(sum, qv, qinvv);
                    sinceReduce = 0;
                }
                sum = sum.add(mulSigned(toDouble(b[t], i), DoubleVector.broadcast(DS, (double) s[t]), qv, qinvv));
                sinceReduce++;
            }
            VectorNtt.storeCanonical(sum, qv, qinvv, acc, i);
        }
        scalar.multiplyAccumulateScalars(acc, b, s, terms, i, len);
    }
}
