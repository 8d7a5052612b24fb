package org.ciphernet.ntt.internal;

import org.ciphernet.ntt.ModArith;

/**
 * Scalar negacyclic NTT with Harvey's lazy butterflies and Shoup twiddle products, exact for every
 * modulus below 2^61.
 *
 * <p>Bounds: forward butterflies keep values in {@code [0, 4q)} (inputs folded from {@code [0,4q)}
 * to {@code [0,2q)} before the add; the lazy Shoup product is in {@code [0,2q)}); inverse
 * butterflies keep {@code [0, 2q)}. With {@code q < 2^61}, {@code 4q < 2^63}, so signed
 * comparisons are exact.
 */
public final class ScalarNtt implements NttEngine {
    private final NttTables t;

    public ScalarNtt(NttTables tables) {
        this.t = tables;
    }

    @Override
    public void forward(long[] a) {
        final int n = t.n;
        final long q = t.modulus.value();
        final long twoQ = 2 * q;
        final long[] w = t.psiRev;
        final long[] ws = t.psiRevShoup;
        int gap = n;
        for (int m = 1; m < n; m <<= 1) {
            gap >>= 1;
            for (int i = 0; i < m; i++) {
                final long wi = w[m + i];
                final long wsi = ws[m + i];
                final int j1 = 2 * i * gap;
                for (int j = j1; j < j1 + gap; j++) {
                    long u = a[j];
                    if (u >= twoQ) {
                        u -= twoQ;
                    }
                    long v = ModArith.mulShoupLazy(a[j + gap], wi, wsi, q);
                    a[j] = u + v;
                    a[j + gap] = u - v + twoQ;
                }
            }
        }
        for (int j = 0; j < n; j++) {
            long x = a[j];
            if (x >= twoQ) {
                x -= twoQ;
            }
            if (x >= q) {
                x -= q;
            }
            a[j] = x;
        }
    }

    @Override
    public void inverse(long[] a) {
        final int n = t.n;
        final long q = t.modulus.value();
        final long twoQ = 2 * q;
        final long[] w = t.psiInvRev;
        final long[] ws = t.psiInvRevShoup;
        int gap = 1;
        for (int m = n; m > 2; m >>= 1) {
            int h = m >> 1;
            int j1 = 0;
            for (int i = 0; i < h; i++) {
                final long wi = w[h + i];
                final long wsi = ws[h + i];
                for (int j = j1; j < j1 + gap; j++) {
                    long u = a[j];
                    long v = a[j + gap];
                    long s = u + v;
                    a[j] = s >= twoQ ? s - twoQ : s;
                    a[j + gap] = ModArith.mulShoupLazy(u - v + twoQ, wi, wsi, q);
                }
                j1 += 2 * gap;
            }
            gap <<= 1;
        }
        // last stage (one block) with 1/n folded into both outputs
        final long nInv = t.nInv;
        final long nInvS = t.nInvShoup;
        final long wl = t.lastInvTimesNInv;
        final long wlS = t.lastInvTimesNInvShoup;
        final int half = n >> 1;
        for (int j = 0; j < half; j++) {
            long u = a[j];
            long v = a[j + half];
            a[j] = ModArith.mulShoup(u + v, nInv, nInvS, q);
            a[j + half] = ModArith.mulShoup(u - v + twoQ, wl, wlS, q);
        }
    }
}
