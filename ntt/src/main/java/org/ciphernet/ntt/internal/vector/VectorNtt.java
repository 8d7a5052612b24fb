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
 * For primes of about 40 bits the forward transform needs none and the inverse (whose sums double
 * every stage) one from N = 2^13 up; for primes near 2^50 the forward transform reduces every
 * fourth stage and the inverse every second.
 *
 * <p>Stages whose butterfly distance g is below the vector length L work on pairs of vectors
 * {@code (v0, v1)}: lane p pairs with lane {@code p ^ g}, so one single-source permutation (swap
 * lanes {@code p <-> p ^ g}) and one blend on the lanes with bit g set gather all X values of both
 * vectors into one vector and all Y values into another (v0's pairs sit in the lanes with bit g
 * clear, v1's in the others); the same two operations put the results back. The twiddles of these
 * stages are stored per lane in that arrangement. Twiddles are signed ({@code |w| <= (q-1)/2});
 * their quotients {@code w/q} are computed on the fly as {@code w * (1/q)} (one multiply per twiddle
 * vector), which halves the tables: key switching cycles through many primes, and smaller tables
 * stay in cache (relinearize at N = 2^14: about 8 % faster).
 */
public final class VectorNtt implements NttEngine {
    static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Long> LS = LongVector.SPECIES_PREFERRED;
    static final int L = DS.length();
    private static final double ROUND = DoubleModMath.ROUND;

    private final int n;
    private final int logN;
    private final double q;
    private final double qinv;
    // forward stage s (gap n >> (s+1)) uses twiddle m + i for block i, m = 1 << s; inverse likewise
    private final double[] fw;
    private final double[] iw;
    private final double nInv;
    private final double nInvQ;
    private final double lastW;
    private final double lastWQ;
    /** Per-lane twiddles of the stages with gap {@code L >> (k+1)}, indexed [k][chunk*L + lane]. */
    private final double[][] fwSmall;
    private final double[][] iwSmall;
    /** Lane swap {@code p <-> p ^ g} and the lanes with bit g set, for gap {@code g = L >> (k+1)}. */
    private final VectorShuffle<Double>[] swap;
    private final VectorMask<Double>[] high;
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
        iw = new double[n];
        for (int k = 0; k < n; k++) {
            fw[k] = DoubleModMath.signed(t.psiRev[k], ql);
            iw[k] = DoubleModMath.signed(t.psiInvRev[k], ql);
        }
        nInv = DoubleModMath.signed(t.nInv, ql);
        nInvQ = nInv * qinv;
        lastW = DoubleModMath.signed(t.lastInvTimesNInv, ql);
        lastWQ = lastW * qinv;

        int smallStages = Integer.numberOfTrailingZeros(L); // gaps L/2 ... 1
        fwSmall = new double[smallStages][];
        iwSmall = new double[smallStages][];
        swap = new VectorShuffle[smallStages];
        high = new VectorMask[smallStages];
        int chunks = n / (2 * L);
        for (int k = 0; k < smallStages; k++) {
            int gap = L >> (k + 1);
            int blocks = n / (2 * gap); // the twiddle offset m of this stage
            double[] a = new double[chunks * L];
            double[] b = new double[chunks * L];
            for (int c = 0; c < chunks; c++) {
                for (int p = 0; p < L; p++) {
                    // lane p holds the pair of element p of v0 (bit g clear) or of element p^g of v1
                    int element = (p & gap) == 0 ? 2 * L * c + p : 2 * L * c + L + (p ^ gap);
                    int tw = blocks + element / (2 * gap);
                    a[c * L + p] = fw[tw];
                    b[c * L + p] = iw[tw];
                }
            }
            fwSmall[k] = a;
            iwSmall[k] = b;
            int[] idx = new int[L];
            boolean[] hi = new boolean[L];
            for (int p = 0; p < L; p++) {
                idx[p] = p ^ gap;
                hi[p] = (p & gap) != 0;
            }
            swap[k] = VectorShuffle.fromArray(DS, idx, 0);
            high[k] = VectorMask.fromArray(DS, hi, 0);
        }
        forwardReduce = planForward(logN, q);
        inverseReduce = planInverse(logN, q);
        // The fused first stages (reading canonical longs) have no reduction variant. Forward
        // stage 0 is bounded by about 1.63q. Inverse stage 0 leaves sums below 2q, and the next
        // stage needs 2 * up(2q) <= 2^52, which holds for every q <= 2^50 - 2; the margin is nearly
        // zero there, but 2^50 - 1 is 3 mod 4 and so never an NTT prime. Checked, not assumed:
        if (forwardReduce[0] || inverseReduce[0]) {
            throw new IllegalStateException("first NTT stage would need a reduction; q = " + ql);
        }
        scratch = ThreadLocal.withInitial(() -> new double[n]);
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

    // ---- transforms ---------------------------------------------------------------------
    //
    // The modular arithmetic is written out in every loop body rather than in helper methods:
    // C2 does not always inline a helper (size, stack and hotness heuristics), and a helper
    // that is not inlined boxes its vector arguments, costing an allocation per call. Likewise
    // each stage variant (with or without reduction) is its own loop, because a vector merged
    // from two branches defeats box elimination.
    //
    // Notation (see DoubleModMath), with R = ROUND broadcast, pq = q, nq = -q broadcast:
    //   product y*w:  nhi = y*(-w);  k = fma(y, wq, R) - R;  T = fma(y, w, nhi) - fma(k, pq, nhi)
    //                 with wq = w * qinv computed on the fly
    //                 (fma(y, w, nhi) = lo, fma(k, pq, nhi) = k*q - hi, both exact)
    //   reduction x:  k = fma(x, qinv, R) - R;  x' = fma(k, nq, x)
    //   canonical:    x' + q where x' < 0, converted to long.

    @Override
    public void forward(long[] a) {
        double[] x = scratch.get();
        int smallStages = Integer.numberOfTrailingZeros(L);
        int wide = logN - smallStages;
        forwardFirst(a, x); // stage 0, reading the longs
        int gap = n >> 1;
        for (int s = 1; s < wide; s++) {
            gap >>= 1;
            if (forwardReduce[s]) {
                forwardWideReduced(x, gap, 1 << s);
            } else {
                forwardWide(x, gap, 1 << s);
            }
        }
        for (int k = 0; k < smallStages - 1; k++) {
            if (forwardReduce[wide + k]) {
                forwardSmallReduced(x, k);
            } else {
                forwardSmall(x, k);
            }
        }
        forwardLast(x, a, smallStages - 1); // gap 1, writing canonical longs
    }

    /** Stage 0 (one block, gap n/2) fused with the conversion of the canonical long inputs. */
    private void forwardFirst(long[] a, double[] x) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector w = DoubleVector.broadcast(DS, fw[1]);
        final DoubleVector nw = DoubleVector.broadcast(DS, -fw[1]);
        final DoubleVector wq = DoubleVector.broadcast(DS, fw[1] * qinv);
        final int gap = n >> 1;
        for (int j = 0; j < gap; j += L) {
            DoubleVector u = (DoubleVector) LongVector.fromArray(LS, a, j).convert(VectorOperators.L2D, 0);
            DoubleVector y = (DoubleVector) LongVector.fromArray(LS, a, j + gap).convert(VectorOperators.L2D, 0);
            DoubleVector nhi = y.mul(nw);
            DoubleVector k = y.fma(wq, r).sub(r);
            DoubleVector v = y.fma(w, nhi).sub(k.fma(pq, nhi));
            u.add(v).intoArray(x, j);
            u.sub(v).intoArray(x, j + gap);
        }
    }

    private void forwardWide(double[] x, int gap, int m) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        for (int i = 0; i < m; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, fw[m + i]);
            final DoubleVector nw = DoubleVector.broadcast(DS, -fw[m + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, fw[m + i] * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector y = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector nhi = y.mul(nw);
                DoubleVector k = y.fma(wq, r).sub(r);
                DoubleVector v = y.fma(w, nhi).sub(k.fma(pq, nhi));
                u.add(v).intoArray(x, j);
                u.sub(v).intoArray(x, j + gap);
            }
        }
    }

    private void forwardWideReduced(double[] x, int gap, int m) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        for (int i = 0; i < m; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, fw[m + i]);
            final DoubleVector nw = DoubleVector.broadcast(DS, -fw[m + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, fw[m + i] * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector u = u0.fma(qi, r).sub(r).fma(nq, u0);
                DoubleVector y = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector nhi = y.mul(nw);
                DoubleVector k = y.fma(wq, r).sub(r);
                DoubleVector v = y.fma(w, nhi).sub(k.fma(pq, nhi));
                u.add(v).intoArray(x, j);
                u.sub(v).intoArray(x, j + gap);
            }
        }
    }

    private void forwardSmall(double[] x, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = fwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.blend(v1.rearrange(sw), hm);
            DoubleVector y = v0.rearrange(sw).blend(v1, hm);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = y.mul(w).neg();
            DoubleVector kq = y.fma(w.mul(qi), r).sub(r);
            DoubleVector v = y.fma(w, nhi).sub(kq.fma(pq, nhi));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            sum.blend(diff.rearrange(sw), hm).intoArray(x, j);
            sum.rearrange(sw).blend(diff, hm).intoArray(x, j + L);
        }
    }

    private void forwardSmallReduced(double[] x, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final double[] tw = fwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u0 = v0.blend(v1.rearrange(sw), hm);
            DoubleVector u = u0.fma(qi, r).sub(r).fma(nq, u0);
            DoubleVector y = v0.rearrange(sw).blend(v1, hm);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = y.mul(w).neg();
            DoubleVector kq = y.fma(w.mul(qi), r).sub(r);
            DoubleVector v = y.fma(w, nhi).sub(kq.fma(pq, nhi));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            sum.blend(diff.rearrange(sw), hm).intoArray(x, j);
            sum.rearrange(sw).blend(diff, hm).intoArray(x, j + L);
        }
    }

    /**
     * The stage of gap 1 fused with the output: X is always reduced (never looser than the plan),
     * and both outputs are made canonical and stored as longs.
     */
    private void forwardLast(double[] x, long[] a, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final double[] tw = fwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u0 = v0.blend(v1.rearrange(sw), hm);
            DoubleVector u = u0.fma(qi, r).sub(r).fma(nq, u0);
            DoubleVector y = v0.rearrange(sw).blend(v1, hm);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = y.mul(w).neg();
            DoubleVector kq = y.fma(w.mul(qi), r).sub(r);
            DoubleVector v = y.fma(w, nhi).sub(kq.fma(pq, nhi));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            DoubleVector r0 = sum.blend(diff.rearrange(sw), hm);
            DoubleVector r1 = sum.rearrange(sw).blend(diff, hm);
            r0 = r0.fma(qi, r).sub(r).fma(nq, r0);
            r1 = r1.fma(qi, r).sub(r).fma(nq, r1);
            ((LongVector) r0.add(pq, r0.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j);
            ((LongVector) r1.add(pq, r1.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j + L);
        }
    }

    @Override
    public void inverse(long[] a) {
        double[] x = scratch.get();
        int smallStages = Integer.numberOfTrailingZeros(L);
        // the stages of gap 1, 2, ..., L/2 come first; gap 1 reads the longs
        inverseFirst(a, x, smallStages - 1);
        for (int k = smallStages - 2, s = 1; k >= 0; k--, s++) {
            if (inverseReduce[s]) {
                inverseSmallReduced(x, k);
            } else {
                inverseSmall(x, k);
            }
        }
        int gap = L;
        for (int s = smallStages; s < logN - 1; s++) {
            if (inverseReduce[s]) {
                inverseWideReduced(x, gap, n >> (s + 1));
            } else {
                inverseWide(x, gap, n >> (s + 1));
            }
            gap <<= 1;
        }
        inverseLast(x, a);
    }

    /** The stage of gap 1 fused with the conversion of the canonical long inputs (no reduction needed). */
    private void inverseFirst(long[] a, double[] x, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = iwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = (DoubleVector) LongVector.fromArray(LS, a, j).convert(VectorOperators.L2D, 0);
            DoubleVector v1 = (DoubleVector) LongVector.fromArray(LS, a, j + L).convert(VectorOperators.L2D, 0);
            DoubleVector u = v0.blend(v1.rearrange(sw), hm);
            DoubleVector v = v0.rearrange(sw).blend(v1, hm);
            DoubleVector sum = u.add(v);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = d.mul(w).neg();
            DoubleVector kq = d.fma(w.mul(qi), r).sub(r);
            DoubleVector prod = d.fma(w, nhi).sub(kq.fma(pq, nhi));
            sum.blend(prod.rearrange(sw), hm).intoArray(x, j);
            sum.rearrange(sw).blend(prod, hm).intoArray(x, j + L);
        }
    }

    private void inverseSmall(double[] x, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = iwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.blend(v1.rearrange(sw), hm);
            DoubleVector v = v0.rearrange(sw).blend(v1, hm);
            DoubleVector sum = u.add(v);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = d.mul(w).neg();
            DoubleVector kq = d.fma(w.mul(qi), r).sub(r);
            DoubleVector prod = d.fma(w, nhi).sub(kq.fma(pq, nhi));
            sum.blend(prod.rearrange(sw), hm).intoArray(x, j);
            sum.rearrange(sw).blend(prod, hm).intoArray(x, j + L);
        }
    }

    private void inverseSmallReduced(double[] x, int k) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final double[] tw = iwSmall[k];
        final VectorShuffle<Double> sw = swap[k];
        final VectorMask<Double> hm = high[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.blend(v1.rearrange(sw), hm);
            DoubleVector v = v0.rearrange(sw).blend(v1, hm);
            DoubleVector s0 = u.add(v);
            DoubleVector sum = s0.fma(qi, r).sub(r).fma(nq, s0);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector nhi = d.mul(w).neg();
            DoubleVector kq = d.fma(w.mul(qi), r).sub(r);
            DoubleVector prod = d.fma(w, nhi).sub(kq.fma(pq, nhi));
            sum.blend(prod.rearrange(sw), hm).intoArray(x, j);
            sum.rearrange(sw).blend(prod, hm).intoArray(x, j + L);
        }
    }

    private void inverseWide(double[] x, int gap, int h) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        for (int i = 0; i < h; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, iw[h + i]);
            final DoubleVector nw = DoubleVector.broadcast(DS, -iw[h + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, iw[h + i] * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector v = DoubleVector.fromArray(DS, x, j + gap);
                u.add(v).intoArray(x, j);
                DoubleVector d = u.sub(v);
                DoubleVector nhi = d.mul(nw);
                DoubleVector k = d.fma(wq, r).sub(r);
                d.fma(w, nhi).sub(k.fma(pq, nhi)).intoArray(x, j + gap);
            }
        }
    }

    private void inverseWideReduced(double[] x, int gap, int h) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        for (int i = 0; i < h; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, iw[h + i]);
            final DoubleVector nw = DoubleVector.broadcast(DS, -iw[h + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, iw[h + i] * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector v = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector s0 = u.add(v);
                s0.fma(qi, r).sub(r).fma(nq, s0).intoArray(x, j);
                DoubleVector d = u.sub(v);
                DoubleVector nhi = d.mul(nw);
                DoubleVector k = d.fma(wq, r).sub(r);
                d.fma(w, nhi).sub(k.fma(pq, nhi)).intoArray(x, j + gap);
            }
        }
    }

    /** Last inverse stage: one block of gap n/2, both outputs times 1/n, made canonical and stored as longs. */
    private void inverseLast(double[] x, long[] a) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector ni = DoubleVector.broadcast(DS, nInv);
        final DoubleVector nni = DoubleVector.broadcast(DS, -nInv);
        final DoubleVector niq = DoubleVector.broadcast(DS, nInvQ);
        final DoubleVector lw = DoubleVector.broadcast(DS, lastW);
        final DoubleVector nlw = DoubleVector.broadcast(DS, -lastW);
        final DoubleVector lwq = DoubleVector.broadcast(DS, lastWQ);
        final int half = n >> 1;
        for (int j = 0; j < half; j += L) {
            DoubleVector u = DoubleVector.fromArray(DS, x, j);
            DoubleVector v = DoubleVector.fromArray(DS, x, j + half);
            DoubleVector s = u.add(v);
            DoubleVector hs = s.mul(nni);
            DoubleVector ks = s.fma(niq, r).sub(r);
            DoubleVector ps = s.fma(ni, hs).sub(ks.fma(pq, hs));
            DoubleVector rs = ps.fma(qi, r).sub(r).fma(nq, ps);
            ((LongVector) rs.add(pq, rs.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j);
            DoubleVector d = u.sub(v);
            DoubleVector hd = d.mul(nlw);
            DoubleVector kd = d.fma(lwq, r).sub(r);
            DoubleVector pd = d.fma(lw, hd).sub(kd.fma(pq, hd));
            DoubleVector rd = pd.fma(qi, r).sub(r).fma(nq, pd);
            ((LongVector) rd.add(pq, rd.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j + half);
        }
    }
}
