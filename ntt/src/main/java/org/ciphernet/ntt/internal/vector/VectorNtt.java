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
 * <p>Consecutive wide stages run in pairs (radix-2²): four vectors are loaded, pass through two
 * butterfly levels and are stored once, halving the memory traffic of the wide stages. A pair
 * computes the same values as the two stages; the forward pair may reduce its first stage's inputs
 * and the inverse pair reduces all of its sums where the plan reduces either stage (reducing more
 * than the plan asks only tightens the bounds).
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
final class VectorNtt implements NttEngine {
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
    static boolean supports(int n, long q) {
        return L >= 2 && n >= 2 * L && q < (1L << 50) && LS.length() == L;
    }

    @SuppressWarnings("unchecked")
    VectorNtt(NttTables t) {
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
            if (s + 1 < wide && !forwardReduce[s + 1]) {
                // stages s and s+1 in one pass (reducing X first where stage s needs it)
                if (forwardReduce[s]) {
                    forwardWidePairReduced(x, gap, 1 << s);
                } else {
                    forwardWidePair(x, gap, 1 << s);
                }
                gap >>= 1;
                s++;
            } else if (forwardReduce[s]) {
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

    /**
     * Stages s (gap g, m = 2^s blocks) and s+1 (gap g/2) fused: each group of four vectors is loaded
     * once and stored once. It computes exactly the values of the two separate stages, so the plan's
     * bounds hold; it is used only where neither stage reduces.
     */
    private void forwardWidePair(double[] x, int gap, int m) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final int half = gap >> 1;
        for (int i = 0; i < m; i++) {
            final double w1s = fw[m + i];
            final double w2s = fw[2 * m + 2 * i];
            final double w3s = fw[2 * m + 2 * i + 1];
            final DoubleVector w1 = DoubleVector.broadcast(DS, w1s);
            final DoubleVector nw1 = DoubleVector.broadcast(DS, -w1s);
            final DoubleVector wq1 = DoubleVector.broadcast(DS, w1s * qinv);
            final DoubleVector w2 = DoubleVector.broadcast(DS, w2s);
            final DoubleVector nw2 = DoubleVector.broadcast(DS, -w2s);
            final DoubleVector wq2 = DoubleVector.broadcast(DS, w2s * qinv);
            final DoubleVector w3 = DoubleVector.broadcast(DS, w3s);
            final DoubleVector nw3 = DoubleVector.broadcast(DS, -w3s);
            final DoubleVector wq3 = DoubleVector.broadcast(DS, w3s * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + half; j < end; j += L) {
                DoubleVector x0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector x1 = DoubleVector.fromArray(DS, x, j + half);
                DoubleVector x2 = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector x3 = DoubleVector.fromArray(DS, x, j + gap + half);
                // stage s: (x0, x2) and (x1, x3) with w1
                DoubleVector h2 = x2.mul(nw1);
                DoubleVector t2 = x2.fma(w1, h2).sub(x2.fma(wq1, r).sub(r).fma(pq, h2));
                DoubleVector h3 = x3.mul(nw1);
                DoubleVector t3 = x3.fma(w1, h3).sub(x3.fma(wq1, r).sub(r).fma(pq, h3));
                DoubleVector y0 = x0.add(t2);
                DoubleVector y2 = x0.sub(t2);
                DoubleVector y1 = x1.add(t3);
                DoubleVector y3 = x1.sub(t3);
                // stage s+1: (y0, y1) with w2, (y2, y3) with w3
                DoubleVector g1 = y1.mul(nw2);
                DoubleVector u1 = y1.fma(w2, g1).sub(y1.fma(wq2, r).sub(r).fma(pq, g1));
                DoubleVector g3 = y3.mul(nw3);
                DoubleVector u3 = y3.fma(w3, g3).sub(y3.fma(wq3, r).sub(r).fma(pq, g3));
                y0.add(u1).intoArray(x, j);
                y0.sub(u1).intoArray(x, j + half);
                y2.add(u3).intoArray(x, j + gap);
                y2.sub(u3).intoArray(x, j + gap + half);
            }
        }
    }

    /** {@link #forwardWidePair} with stage s's X inputs reduced first (stage s+1 needs none). */
    private void forwardWidePairReduced(double[] x, int gap, int m) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final int half = gap >> 1;
        for (int i = 0; i < m; i++) {
            final double w1s = fw[m + i];
            final double w2s = fw[2 * m + 2 * i];
            final double w3s = fw[2 * m + 2 * i + 1];
            final DoubleVector w1 = DoubleVector.broadcast(DS, w1s);
            final DoubleVector nw1 = DoubleVector.broadcast(DS, -w1s);
            final DoubleVector wq1 = DoubleVector.broadcast(DS, w1s * qinv);
            final DoubleVector w2 = DoubleVector.broadcast(DS, w2s);
            final DoubleVector nw2 = DoubleVector.broadcast(DS, -w2s);
            final DoubleVector wq2 = DoubleVector.broadcast(DS, w2s * qinv);
            final DoubleVector w3 = DoubleVector.broadcast(DS, w3s);
            final DoubleVector nw3 = DoubleVector.broadcast(DS, -w3s);
            final DoubleVector wq3 = DoubleVector.broadcast(DS, w3s * qinv);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + half; j < end; j += L) {
                DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector v1 = DoubleVector.fromArray(DS, x, j + half);
                DoubleVector x0 = v0.fma(qi, r).sub(r).fma(nq, v0);
                DoubleVector x1 = v1.fma(qi, r).sub(r).fma(nq, v1);
                DoubleVector x2 = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector x3 = DoubleVector.fromArray(DS, x, j + gap + half);
                // stage s: (x0, x2) and (x1, x3) with w1
                DoubleVector h2 = x2.mul(nw1);
                DoubleVector t2 = x2.fma(w1, h2).sub(x2.fma(wq1, r).sub(r).fma(pq, h2));
                DoubleVector h3 = x3.mul(nw1);
                DoubleVector t3 = x3.fma(w1, h3).sub(x3.fma(wq1, r).sub(r).fma(pq, h3));
                DoubleVector y0 = x0.add(t2);
                DoubleVector y2 = x0.sub(t2);
                DoubleVector y1 = x1.add(t3);
                DoubleVector y3 = x1.sub(t3);
                // stage s+1: (y0, y1) with w2, (y2, y3) with w3
                DoubleVector g1 = y1.mul(nw2);
                DoubleVector u1 = y1.fma(w2, g1).sub(y1.fma(wq2, r).sub(r).fma(pq, g1));
                DoubleVector g3 = y3.mul(nw3);
                DoubleVector u3 = y3.fma(w3, g3).sub(y3.fma(wq3, r).sub(r).fma(pq, g3));
                y0.add(u1).intoArray(x, j);
                y0.sub(u1).intoArray(x, j + half);
                y2.add(u3).intoArray(x, j + gap);
                y2.sub(u3).intoArray(x, j + gap + half);
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
            if (s + 1 < logN - 1) {
                // stages s and s+1 in one pass; reducing every sum where the plan reduces either
                // stage (reducing more than the plan asks only tightens the bounds)
                if (inverseReduce[s] || inverseReduce[s + 1]) {
                    inverseWidePairReduced(x, gap, n >> (s + 1));
                } else {
                    inverseWidePair(x, gap, n >> (s + 1));
                }
                gap <<= 2;
                s++;
                continue;
            }
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

    /**
     * Inverse stages s (gap g, h blocks) and s+1 (gap 2g, h/2 blocks) fused: each group of four
     * vectors is loaded and stored once, computing exactly the values of the separate stages.
     */
    private void inverseWidePair(double[] x, int gap, int h) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final int h2 = h >> 1;
        for (int i = 0; i < h2; i++) {
            final double w0s = iw[h + 2 * i];
            final double w1s = iw[h + 2 * i + 1];
            final double wts = iw[h2 + i];
            final DoubleVector w0 = DoubleVector.broadcast(DS, w0s);
            final DoubleVector nw0 = DoubleVector.broadcast(DS, -w0s);
            final DoubleVector wq0 = DoubleVector.broadcast(DS, w0s * qinv);
            final DoubleVector w1 = DoubleVector.broadcast(DS, w1s);
            final DoubleVector nw1 = DoubleVector.broadcast(DS, -w1s);
            final DoubleVector wq1 = DoubleVector.broadcast(DS, w1s * qinv);
            final DoubleVector wt = DoubleVector.broadcast(DS, wts);
            final DoubleVector nwt = DoubleVector.broadcast(DS, -wts);
            final DoubleVector wqt = DoubleVector.broadcast(DS, wts * qinv);
            final int j1 = 4 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector a = DoubleVector.fromArray(DS, x, j);
                DoubleVector b = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector c = DoubleVector.fromArray(DS, x, j + 2 * gap);
                DoubleVector d = DoubleVector.fromArray(DS, x, j + 3 * gap);
                // stage s: (a, b) with w0, (c, d) with w1
                DoubleVector a1 = a.add(b);
                DoubleVector e0 = a.sub(b);
                DoubleVector g0 = e0.mul(nw0);
                DoubleVector b1 = e0.fma(w0, g0).sub(e0.fma(wq0, r).sub(r).fma(pq, g0));
                DoubleVector c1 = c.add(d);
                DoubleVector e1 = c.sub(d);
                DoubleVector g1 = e1.mul(nw1);
                DoubleVector d1 = e1.fma(w1, g1).sub(e1.fma(wq1, r).sub(r).fma(pq, g1));
                // stage s+1: (a1, c1) and (b1, d1) with wt
                a1.add(c1).intoArray(x, j);
                DoubleVector e2 = a1.sub(c1);
                DoubleVector g2 = e2.mul(nwt);
                e2.fma(wt, g2).sub(e2.fma(wqt, r).sub(r).fma(pq, g2)).intoArray(x, j + 2 * gap);
                b1.add(d1).intoArray(x, j + gap);
                DoubleVector e3 = b1.sub(d1);
                DoubleVector g3 = e3.mul(nwt);
                e3.fma(wt, g3).sub(e3.fma(wqt, r).sub(r).fma(pq, g3)).intoArray(x, j + 3 * gap);
            }
        }
    }

    /**
     * {@link #inverseWidePair} with every sum of both stages reduced (used where the plan reduces
     * either stage).
     */
    private void inverseWidePairReduced(double[] x, int gap, int h) {
        final DoubleVector pq = DoubleVector.broadcast(DS, q);
        final DoubleVector r = DoubleVector.broadcast(DS, ROUND);
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final int h2 = h >> 1;
        for (int i = 0; i < h2; i++) {
            final double w0s = iw[h + 2 * i];
            final double w1s = iw[h + 2 * i + 1];
            final double wts = iw[h2 + i];
            final DoubleVector w0 = DoubleVector.broadcast(DS, w0s);
            final DoubleVector nw0 = DoubleVector.broadcast(DS, -w0s);
            final DoubleVector wq0 = DoubleVector.broadcast(DS, w0s * qinv);
            final DoubleVector w1 = DoubleVector.broadcast(DS, w1s);
            final DoubleVector nw1 = DoubleVector.broadcast(DS, -w1s);
            final DoubleVector wq1 = DoubleVector.broadcast(DS, w1s * qinv);
            final DoubleVector wt = DoubleVector.broadcast(DS, wts);
            final DoubleVector nwt = DoubleVector.broadcast(DS, -wts);
            final DoubleVector wqt = DoubleVector.broadcast(DS, wts * qinv);
            final int j1 = 4 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector a = DoubleVector.fromArray(DS, x, j);
                DoubleVector b = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector c = DoubleVector.fromArray(DS, x, j + 2 * gap);
                DoubleVector d = DoubleVector.fromArray(DS, x, j + 3 * gap);
                // stage s: (a, b) with w0, (c, d) with w1
                DoubleVector s0 = a.add(b);
                DoubleVector a1 = s0.fma(qi, r).sub(r).fma(nq, s0);
                DoubleVector e0 = a.sub(b);
                DoubleVector g0 = e0.mul(nw0);
                DoubleVector b1 = e0.fma(w0, g0).sub(e0.fma(wq0, r).sub(r).fma(pq, g0));
                DoubleVector s1 = c.add(d);
                DoubleVector c1 = s1.fma(qi, r).sub(r).fma(nq, s1);
                DoubleVector e1 = c.sub(d);
                DoubleVector g1 = e1.mul(nw1);
                DoubleVector d1 = e1.fma(w1, g1).sub(e1.fma(wq1, r).sub(r).fma(pq, g1));
                // stage s+1: (a1, c1) and (b1, d1) with wt
                DoubleVector s2 = a1.add(c1);
                s2.fma(qi, r).sub(r).fma(nq, s2).intoArray(x, j);
                DoubleVector e2 = a1.sub(c1);
                DoubleVector g2 = e2.mul(nwt);
                e2.fma(wt, g2).sub(e2.fma(wqt, r).sub(r).fma(pq, g2)).intoArray(x, j + 2 * gap);
                DoubleVector s3 = b1.add(d1);
                s3.fma(qi, r).sub(r).fma(nq, s3).intoArray(x, j + gap);
                DoubleVector e3 = b1.sub(d1);
                DoubleVector g3 = e3.mul(nwt);
                e3.fma(wt, g3).sub(e3.fma(wqt, r).sub(r).fma(pq, g3)).intoArray(x, j + 3 * gap);
            }
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
