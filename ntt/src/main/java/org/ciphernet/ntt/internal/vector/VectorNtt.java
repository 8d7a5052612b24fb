package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.ciphernet.ntt.internal.NttEngine;
import org.ciphernet.ntt.internal.NttTables;

/**
 * Negacyclic NTT on {@code DoubleVector} lanes with FMA, for primes below {@code 2^50}.
 *
 * <p>Values are signed exact integers held in doubles (see {@link DoubleModMath} for the error
 * analysis). Butterflies are lazy: a per-stage plan, computed at construction from the proven
 * bounds, inserts a reduction only where the next stage could otherwise exceed {@code 2^52}.
 * For primes of about 40 bits no reduction is needed at all; for 50-bit primes one in every few
 * stages. Stages whose butterfly distance is below the vector length are done on pairs of
 * vectors with two-vector lane shuffles. Twiddles are stored signed ({@code |w| <= q/2}) with
 * their quotients {@code w/q}.
 */
public final class VectorNtt implements NttEngine {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    static final int L = DS.length();

    private final int n;
    private final int logN;
    private final double q;
    private final double qinv;
    // forward: stage s (0-based, gap = n >> (s+1)) uses twiddles psiRev[m + i], m = 1 << s
    private final double[] fw;
    private final double[] fwq;
    private final double[] iw;
    private final double[] iwq;
    private final double nInv;
    private final double nInvQ;
    private final double lastW;
    private final double lastWQ;
    /** Lane-expanded twiddles of the stages whose gap is below L, indexed [stage][chunk*L + lane]. */
    private final double[][] fwSmall;
    private final double[][] fwqSmall;
    private final double[][] iwSmall;
    private final double[][] iwqSmall;
    private final VectorShuffle<Double>[] xShuffle;
    private final VectorShuffle<Double>[] yShuffle;
    private final VectorShuffle<Double>[] out0Shuffle;
    private final VectorShuffle<Double>[] out1Shuffle;
    private final boolean[] forwardReduce;
    private final boolean[] inverseReduce;
    private final ThreadLocal<double[]> scratch;

    /** Whether this engine can run degree n modulo q (else the caller uses the scalar engine). */
    public static boolean supports(int n, long q) {
        return L >= 2 && n >= 2 * L && q < (1L << 50) && LS.length() == L;
    }

    @SuppressWarnings("unchecked")
    public VectorNtt(NttTables t) {
        if (!supports(t.n, t.modulus.value())) {
            throw new IllegalArgumentException("vector NTT needs n >= " + 2 * L + " and q < 2^50");
        }
        this.n = t.n;
        this.logN = t.logN;
        long ql = t.modulus.value();
        this.q = ql;
        this.qinv = 1.0 / ql;
        fw = new double[n];
        fwq = new double[n];
        iw = new double[n];
        iwq = new double[n];
        for (int k = 0; k < n; k++) {
            fw[k] = DoubleModMath.signed(t.psiRev[k], ql);
            fwq[k] = fw[k] / q;
            iw[k] = DoubleModMath.signed(t.psiInvRev[k], ql);
            iwq[k] = iw[k] / q;
        }
        nInv = DoubleModMath.signed(t.nInv, ql);
        nInvQ = nInv / q;
        lastW = DoubleModMath.signed(t.lastInvTimesNInv, ql);
        lastWQ = lastW / q;

        int smallStages = Integer.numberOfTrailingZeros(L); // gaps L/2 ... 1
        fwSmall = new double[smallStages][];
        fwqSmall = new double[smallStages][];
        iwSmall = new double[smallStages][];
        iwqSmall = new double[smallStages][];
        xShuffle = new VectorShuffle[smallStages];
        yShuffle = new VectorShuffle[smallStages];
        out0Shuffle = new VectorShuffle[smallStages];
        out1Shuffle = new VectorShuffle[smallStages];
        for (int k = 0; k < smallStages; k++) {
            int gap = L >> (k + 1);
            int blocks = n / (2 * gap); // = m, the twiddle offset
            int chunks = n / (2 * L);
            double[] a = new double[chunks * L];
            double[] aq = new double[chunks * L];
            double[] b = new double[chunks * L];
            double[] bq = new double[chunks * L];
            for (int c = 0; c < chunks; c++) {
                for (int i = 0; i < L; i++) {
                    int block = c * (L / gap) + i / gap;
                    a[c * L + i] = fw[blocks + block];
                    aq[c * L + i] = fwq[blocks + block];
                    b[c * L + i] = iw[blocks + block];
                    bq[c * L + i] = iwq[blocks + block];
                }
            }
            fwSmall[k] = a;
            fwqSmall[k] = aq;
            iwSmall[k] = b;
            iwqSmall[k] = bq;
            int[] xs = new int[L];
            int[] ys = new int[L];
            for (int i = 0; i < L; i++) {
                int p = (i / gap) * 2 * gap + (i % gap);
                xs[i] = p;
                ys[i] = p + gap;
            }
            int[] o0 = new int[L];
            int[] o1 = new int[L];
            for (int p = 0; p < 2 * L; p++) {
                int inBlock = p % (2 * gap);
                int src = inBlock < gap
                        ? (p / (2 * gap)) * gap + inBlock          // X' lane
                        : (p / (2 * gap)) * gap + inBlock - gap + L; // Y' lane (second vector)
                if (p < L) {
                    o0[p] = src;
                } else {
                    o1[p - L] = src;
                }
            }
            xShuffle[k] = twoVectorShuffle(xs);
            yShuffle[k] = twoVectorShuffle(ys);
            out0Shuffle[k] = twoVectorShuffle(o0);
            out1Shuffle[k] = twoVectorShuffle(o1);
        }
        forwardReduce = planForward(logN, q);
        inverseReduce = planInverse(logN, q);
        scratch = ThreadLocal.withInitial(() -> new double[n]);
    }

    /**
     * A shuffle for {@code first.rearrange(s, second)} from source positions in {@code [0, 2L)}:
     * positions at or above L address the second vector, expressed as exceptional (negative) indices.
     */
    private static VectorShuffle<Double> twoVectorShuffle(int[] positions) {
        int[] idx = new int[positions.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = positions[i] < L ? positions[i] : positions[i] - 2 * L;
        }
        return VectorShuffle.fromArray(DS, idx, 0);
    }

    /**
     * Forward plan: stage s reduces its X inputs when, without it, a value could exceed 2^52.
     * Recurrence (bounds B on every value): {@code B' = X + q/2 + B q 2^-53}, X = B or the
     * reduced bound. Inputs are canonical: B = q.
     */
    static boolean[] planForward(int logN, double q) {
        boolean[] reduce = new boolean[logN];
        double b = q;
        for (int s = 0; s < logN; s++) {
            double v = DoubleModMath.productBound(b, q);
            double next = DoubleModMath.up(b + v);
            if (next > DoubleModMath.LIMIT) {
                reduce[s] = true;
                next = DoubleModMath.up(DoubleModMath.reducedBound(q) + v);
                if (next > DoubleModMath.LIMIT) {
                    throw new IllegalStateException("modulus too large for the double NTT");
                }
            }
            b = next;
        }
        return reduce;
    }

    /**
     * Inverse plan: the sum output is reduced when its bound 2B would make the next stage's
     * difference exceed 2^52. Differences feed a fixed-operand product: bound {@code q/2 + 2B q 2^-53}.
     */
    static boolean[] planInverse(int logN, double q) {
        boolean[] reduce = new boolean[logN];
        double b = q;
        for (int s = 0; s < logN; s++) {
            if (2 * b > DoubleModMath.LIMIT) {
                throw new IllegalStateException("modulus too large for the double NTT");
            }
            double prod = DoubleModMath.productBound(2 * b, q);
            double sum = DoubleModMath.up(2 * b);
            boolean last = s == logN - 1;
            // the last stage multiplies both outputs by 1/n, so its sum needs no reduction
            if (!last && 2 * Math.max(sum, prod) > DoubleModMath.LIMIT) {
                reduce[s] = true;
                sum = DoubleModMath.reducedBound(q);
            }
            b = last ? prod : Math.max(sum, prod);
        }
        return reduce;
    }

    // ---- lane helpers -------------------------------------------------------------------

    private static DoubleVector rne(DoubleVector x) {
        return x.add(DoubleModMath.ROUND).sub(DoubleModMath.ROUND);
    }

    /** {@code a*w - rne(a*wq)*q}: see {@link DoubleModMath#mulFixed}. */
    static DoubleVector mulFixed(DoubleVector a, DoubleVector w, DoubleVector wq, DoubleVector q) {
        DoubleVector hi = a.mul(w);
        DoubleVector lo = a.fma(w, hi.neg());
        DoubleVector k = rne(a.mul(wq));
        return k.neg().fma(q, hi).add(lo);
    }

    static DoubleVector reduce(DoubleVector x, DoubleVector q, DoubleVector qinv) {
        return rne(x.mul(qinv)).neg().fma(q, x);
    }

    // ---- transforms ---------------------------------------------------------------------

    @Override
    public void forward(long[] a) {
        final DoubleVector q = DoubleVector.broadcast(DS, this.q);
        final DoubleVector qinv = DoubleVector.broadcast(DS, this.qinv);
        double[] x = scratch.get();
        load(a, x);
        int smallStages = Integer.numberOfTrailingZeros(L);
        int wide = logN - smallStages;
        int gap = n;
        for (int s = 0; s < wide; s++) {
            gap >>= 1;
            int m = 1 << s;
            boolean red = forwardReduce[s];
            for (int i = 0; i < m; i++) {
                DoubleVector w = DoubleVector.broadcast(DS, fw[m + i]);
                DoubleVector wq = DoubleVector.broadcast(DS, fwq[m + i]);
                int j1 = 2 * i * gap;
                int end = j1 + gap;
                for (int j = j1; j < end; j += L) {
                    DoubleVector u = DoubleVector.fromArray(DS, x, j);
                    if (red) {
                        u = reduce(u, q, qinv);
                    }
                    DoubleVector v = mulFixed(DoubleVector.fromArray(DS, x, j + gap), w, wq, q);
                    u.add(v).intoArray(x, j);
                    u.sub(v).intoArray(x, j + gap);
                }
            }
        }
        for (int k = 0; k < smallStages; k++) {
            int s = wide + k;
            boolean red = forwardReduce[s];
            double[] tw = fwSmall[k];
            double[] twq = fwqSmall[k];
            VectorShuffle<Double> xs = xShuffle[k];
            VectorShuffle<Double> ys = yShuffle[k];
            VectorShuffle<Double> o0 = out0Shuffle[k];
            VectorShuffle<Double> o1 = out1Shuffle[k];
            for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
                DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
                DoubleVector u = v0.rearrange(xs, v1);
                DoubleVector y = v0.rearrange(ys, v1);
                if (red) {
                    u = reduce(u, q, qinv);
                }
                DoubleVector v = mulFixed(y, DoubleVector.fromArray(DS, tw, c),
                        DoubleVector.fromArray(DS, twq, c), q);
                DoubleVector sum = u.add(v);
                DoubleVector diff = u.sub(v);
                sum.rearrange(o0, diff).intoArray(x, j);
                sum.rearrange(o1, diff).intoArray(x, j + L);
            }
        }
        store(x, a);
    }

    @Override
    public void inverse(long[] a) {
        final DoubleVector q = DoubleVector.broadcast(DS, this.q);
        final DoubleVector qinv = DoubleVector.broadcast(DS, this.qinv);
        double[] x = scratch.get();
        load(a, x);
        int smallStages = Integer.numberOfTrailingZeros(L);
        // stages with gap 1, 2, ..., L/2 first (in the order gap = 1 upward)
        for (int k = smallStages - 1, s = 0; k >= 0; k--, s++) {
            boolean red = inverseReduce[s];
            double[] tw = iwSmall[k];
            double[] twq = iwqSmall[k];
            VectorShuffle<Double> xs = xShuffle[k];
            VectorShuffle<Double> ys = yShuffle[k];
            VectorShuffle<Double> o0 = out0Shuffle[k];
            VectorShuffle<Double> o1 = out1Shuffle[k];
            for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
                DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
                DoubleVector u = v0.rearrange(xs, v1);
                DoubleVector v = v0.rearrange(ys, v1);
                DoubleVector sum = u.add(v);
                if (red) {
                    sum = reduce(sum, q, qinv);
                }
                DoubleVector prod = mulFixed(u.sub(v), DoubleVector.fromArray(DS, tw, c),
                        DoubleVector.fromArray(DS, twq, c), q);
                sum.rearrange(o0, prod).intoArray(x, j);
                sum.rearrange(o1, prod).intoArray(x, j + L);
            }
        }
        int gap = L;
        for (int s = smallStages; s < logN - 1; s++) {
            int h = n >> (s + 1);
            boolean red = inverseReduce[s];
            for (int i = 0; i < h; i++) {
                DoubleVector w = DoubleVector.broadcast(DS, iw[h + i]);
                DoubleVector wq = DoubleVector.broadcast(DS, iwq[h + i]);
                int j1 = 2 * i * gap;
                int end = j1 + gap;
                for (int j = j1; j < end; j += L) {
                    DoubleVector u = DoubleVector.fromArray(DS, x, j);
                    DoubleVector v = DoubleVector.fromArray(DS, x, j + gap);
                    DoubleVector sum = u.add(v);
                    if (red) {
                        sum = reduce(sum, q, qinv);
                    }
                    sum.intoArray(x, j);
                    mulFixed(u.sub(v), w, wq, q).intoArray(x, j + gap);
                }
            }
            gap <<= 1;
        }
        // last stage: one block of gap n/2, both outputs times 1/n, fused with the store
        int half = n >> 1;
        DoubleVector ni = DoubleVector.broadcast(DS, nInv);
        DoubleVector niq = DoubleVector.broadcast(DS, nInvQ);
        DoubleVector lw = DoubleVector.broadcast(DS, lastW);
        DoubleVector lwq = DoubleVector.broadcast(DS, lastWQ);
        for (int j = 0; j < half; j += L) {
            DoubleVector u = DoubleVector.fromArray(DS, x, j);
            DoubleVector v = DoubleVector.fromArray(DS, x, j + half);
            storeCanonical(mulFixed(u.add(v), ni, niq, q), q, qinv, a, j);
            storeCanonical(mulFixed(u.sub(v), lw, lwq, q), q, qinv, a, j + half);
        }
    }

    private void load(long[] a, double[] x) {
        for (int j = 0; j < n; j += L) {
            ((DoubleVector) LongVector.fromArray(LS, a, j).convert(VectorOperators.L2D, 0)).intoArray(x, j);
        }
    }

    private void store(double[] x, long[] a) {
        final DoubleVector q = DoubleVector.broadcast(DS, this.q);
        final DoubleVector qinv = DoubleVector.broadcast(DS, this.qinv);
        for (int j = 0; j < n; j += L) {
            storeCanonical(DoubleVector.fromArray(DS, x, j), q, qinv, a, j);
        }
    }

    /** Canonical residue of each lane ({@code |lane| <= 2^52}) converted to long and stored. */
    static void storeCanonical(DoubleVector v, DoubleVector q, DoubleVector qinv, long[] a, int j) {
        DoubleVector r = reduce(v, q, qinv);
        VectorMask<Double> neg = r.compare(VectorOperators.LT, 0.0);
        r = r.add(q, neg);
        ((LongVector) r.convert(VectorOperators.D2L, 0)).intoArray(a, j);
    }
}
