package org.ciphernet.ntt.internal;

import org.ciphernet.ntt.ModArith;
import org.ciphernet.ntt.Modulus;

/**
 * Scalar element-wise limb arithmetic, exact for every modulus below 2^61. Multiply-accumulate
 * keeps an exact 128-bit sum of unreduced products per element and reduces it once (the sum of
 * at most 2^6 products of 61-bit residues fits in 128 bits; longer sums are folded every 64 terms).
 */
public final class ScalarLimbKernel implements LimbKernel {
    private final Modulus m;
    private final long q;

    public ScalarLimbKernel(Modulus m) {
        this.m = m;
        this.q = m.value();
    }

    @Override
    public long modulus() {
        return q;
    }

    @Override
    public void add(long[] a, long[] b, long[] out, int len) {
        add(a, b, out, 0, len);
    }

    /** {@link #add} on the index range {@code [from, to)}. */
    public void add(long[] a, long[] b, long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = ModArith.add(a[i], b[i], q);
        }
    }

    @Override
    public void addScalar(long[] a, long s, long[] out, int len) {
        addScalar(a, s, out, 0, len);
    }

    /** {@link #addScalar} on the index range {@code [from, to)}. */
    public void addScalar(long[] a, long s, long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = ModArith.add(a[i], s, q);
        }
    }

    @Override
    public void sub(long[] a, long[] b, long[] out, int len) {
        sub(a, b, out, 0, len);
    }

    /** {@link #sub} on the index range {@code [from, to)}. */
    public void sub(long[] a, long[] b, long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = ModArith.sub(a[i], b[i], q);
        }
    }

    @Override
    public void negate(long[] a, long[] out, int len) {
        negate(a, out, 0, len);
    }

    /** {@link #negate} on the index range {@code [from, to)}. */
    public void negate(long[] a, long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = ModArith.negate(a[i], q);
        }
    }

    @Override
    public void multiply(long[] a, long[] b, long[] out, int len) {
        multiply(a, b, out, 0, len);
    }

    /** {@link #multiply} on the index range {@code [from, to)}. */
    public void multiply(long[] a, long[] b, long[] out, int from, int to) {
        for (int i = from; i < to; i++) {
            out[i] = ModArith.mulMod(a[i], b[i], m);
        }
    }

    @Override
    public void liftCentered(long[] a, long p, long[] out, int len) {
        liftCentered(a, p, out, 0, len);
    }

    /** {@link #liftCentered} on the index range {@code [from, to)}. */
    public void liftCentered(long[] a, long p, long[] out, int from, int to) {
        long half = p >>> 1;
        for (int i = from; i < to; i++) {
            out[i] = ModArith.reduce(a[i] > half ? a[i] - p : a[i], m);
        }
    }

    @Override
    public void multiplyScalar(long[] a, long s, long[] out, int len) {
        multiplyScalar(a, s, out, 0, len);
    }

    /** {@link #multiplyScalar} on the index range {@code [from, to)}. */
    public void multiplyScalar(long[] a, long s, long[] out, int from, int to) {
        long sShoup = ModArith.shoup(s, m);
        for (int i = from; i < to; i++) {
            out[i] = ModArith.mulShoup(a[i], s, sShoup, q);
        }
    }

    /** Products of two residues below 2^61 are below 2^122: 64 of them sum below 2^128. */
    private static final int FOLD = 64;

    @Override
    public void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int len) {
        multiplyAccumulate(acc, b, c, terms, 0, len);
    }

    /** {@link #multiplyAccumulate} on the index range {@code [from, to)}. */
    public void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int from, int to) {
        for (int i = from; i < to; i++) {
            long hi = 0;
            long lo = acc[i];
            for (int t = 0; t < terms; t++) {
                long x = b[t][i];
                long y = c[t][i];
                long pl = x * y;
                long ph = Math.unsignedMultiplyHigh(x, y);
                long nl = lo + pl;
                hi += ph + (Long.compareUnsigned(nl, lo) < 0 ? 1 : 0);
                lo = nl;
                if ((t & (FOLD - 1)) == FOLD - 1) {
                    lo = ModArith.reduce128(hi, lo, m);
                    hi = 0;
                }
            }
            acc[i] = ModArith.reduce128(hi, lo, m);
        }
    }

    @Override
    public void multiplyAccumulatePair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1, int terms, int len) {
        multiplyAccumulatePair(acc0, acc1, b, c0, c1, terms, 0, len);
    }

    /**
     * {@link #multiplyAccumulatePair} on the index range {@code [from, to)}: two exact 128-bit sums
     * per element, folded every {@value #FOLD} terms like {@link #multiplyAccumulate}, so both equal
     * it exactly.
     */
    public void multiplyAccumulatePair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1, int terms, int from,
            int to) {
        for (int i = from; i < to; i++) {
            long hi0 = 0;
            long lo0 = acc0[i];
            long hi1 = 0;
            long lo1 = acc1[i];
            for (int t = 0; t < terms; t++) {
                long x = b[t][i];
                long y0 = c0[t][i];
                long y1 = c1[t][i];
                long pl0 = x * y0;
                long ph0 = Math.unsignedMultiplyHigh(x, y0);
                long nl0 = lo0 + pl0;
                hi0 += ph0 + (Long.compareUnsigned(nl0, lo0) < 0 ? 1 : 0);
                lo0 = nl0;
                long pl1 = x * y1;
                long ph1 = Math.unsignedMultiplyHigh(x, y1);
                long nl1 = lo1 + pl1;
                hi1 += ph1 + (Long.compareUnsigned(nl1, lo1) < 0 ? 1 : 0);
                lo1 = nl1;
                if ((t & (FOLD - 1)) == FOLD - 1) {
                    lo0 = ModArith.reduce128(hi0, lo0, m);
                    hi0 = 0;
                    lo1 = ModArith.reduce128(hi1, lo1, m);
                    hi1 = 0;
                }
            }
            acc0[i] = ModArith.reduce128(hi0, lo0, m);
            acc1[i] = ModArith.reduce128(hi1, lo1, m);
        }
    }

    @Override
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int len) {
        multiplyAccumulateScalars(acc, b, s, terms, 0, len);
    }

    /** {@link #multiplyAccumulateScalars} on the index range {@code [from, to)}. */
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int from, int to) {
        for (int i = from; i < to; i++) {
            long hi = 0;
            long lo = acc[i];
            for (int t = 0; t < terms; t++) {
                long x = b[t][i];
                long pl = x * s[t];
                long ph = Math.unsignedMultiplyHigh(x, s[t]);
                long nl = lo + pl;
                hi += ph + (Long.compareUnsigned(nl, lo) < 0 ? 1 : 0);
                lo = nl;
                if ((t & (FOLD - 1)) == FOLD - 1) {
                    lo = ModArith.reduce128(hi, lo, m);
                    hi = 0;
                }
            }
            acc[i] = ModArith.reduce128(hi, lo, m);
        }
    }
}
