package org.ciphernet.ntt.internal.vector;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
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
 * fourth stage and the inverse every second. Stages whose butterfly distance is below the vector length are done on pairs of
 * vectors with two-vector lane shuffles. Twiddles are stored signed ({@code |w| <= q/2}) with
 * their quotients {@code w/q}.
 */
public final class VectorNtt implements NttEngine {
    private static final double ROUND = DoubleModMath.ROUND;
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

    // ---- transforms ---------------------------------------------------------------------
    //
    // The modular arithmetic is written out in every loop body rather than in helper methods:
    // C2 does not always inline a helper (size, stack and hotness heuristics), and a helper
    // that is not inlined boxes its vector arguments, costing an allocation per call. Likewise
    // each stage variant (with or without reduction) is its own loop, because a vector merged
    // from two branches defeats box elimination.
    //
    // Notation (see DoubleModMath): nq = -q broadcast; for a product a*w with quotient wq:
    //   hi = a*w;  T = fma(rne(a*wq), nq, hi) + fma(a, w, -hi)
    // and a reduction of x is fma(rne(x*qinv), nq, x), with rne(y) = (y + ROUND) - ROUND.

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
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector w = DoubleVector.broadcast(DS, fw[1]);
        final DoubleVector wq = DoubleVector.broadcast(DS, fwq[1]);
        final int gap = n >> 1;
        for (int j = 0; j < gap; j += L) {
            DoubleVector u = (DoubleVector) LongVector.fromArray(LS, a, j).convert(VectorOperators.L2D, 0);
            DoubleVector y = (DoubleVector) LongVector.fromArray(LS, a, j + gap).convert(VectorOperators.L2D, 0);
            DoubleVector hi = y.mul(w);
            DoubleVector v = y.mul(wq).add(ROUND).sub(ROUND).fma(nq, hi).add(y.fma(w, hi.neg()));
            u.add(v).intoArray(x, j);
            u.sub(v).intoArray(x, j + gap);
        }
    }

    /**
     * The stage of gap 1 fused with the output: X is always reduced (never looser than the plan),
     * and both outputs are made canonical and stored as longs.
     */
    private void forwardLast(double[] x, long[] a, int k) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = fwSmall[k];
        final double[] twq = fwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u0 = v0.rearrange(xs, v1);
            DoubleVector u = u0.mul(qi).add(ROUND).sub(ROUND).fma(nq, u0);
            DoubleVector y = v0.rearrange(ys, v1);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = y.mul(w);
            DoubleVector v = y.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(y.fma(w, hi.neg()));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            DoubleVector r0 = sum.rearrange(o0, diff);
            DoubleVector r1 = sum.rearrange(o1, diff);
            r0 = r0.mul(qi).add(ROUND).sub(ROUND).fma(nq, r0);
            r1 = r1.mul(qi).add(ROUND).sub(ROUND).fma(nq, r1);
            ((LongVector) r0.sub(nq, r0.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j);
            ((LongVector) r1.sub(nq, r1.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j + L);
        }
    }

    private void forwardWide(double[] x, int gap, int m) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        for (int i = 0; i < m; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, fw[m + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, fwq[m + i]);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector y = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector hi = y.mul(w);
                DoubleVector v = y.mul(wq).add(ROUND).sub(ROUND).fma(nq, hi).add(y.fma(w, hi.neg()));
                u.add(v).intoArray(x, j);
                u.sub(v).intoArray(x, j + gap);
            }
        }
    }

    private void forwardWideReduced(double[] x, int gap, int m) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        for (int i = 0; i < m; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, fw[m + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, fwq[m + i]);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u0 = DoubleVector.fromArray(DS, x, j);
                DoubleVector u = u0.mul(qi).add(ROUND).sub(ROUND).fma(nq, u0);
                DoubleVector y = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector hi = y.mul(w);
                DoubleVector v = y.mul(wq).add(ROUND).sub(ROUND).fma(nq, hi).add(y.fma(w, hi.neg()));
                u.add(v).intoArray(x, j);
                u.sub(v).intoArray(x, j + gap);
            }
        }
    }

    private void forwardSmall(double[] x, int k) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final double[] tw = fwSmall[k];
        final double[] twq = fwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.rearrange(xs, v1);
            DoubleVector y = v0.rearrange(ys, v1);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = y.mul(w);
            DoubleVector v = y.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(y.fma(w, hi.neg()));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            sum.rearrange(o0, diff).intoArray(x, j);
            sum.rearrange(o1, diff).intoArray(x, j + L);
        }
    }

    private void forwardSmallReduced(double[] x, int k) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = fwSmall[k];
        final double[] twq = fwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u0 = v0.rearrange(xs, v1);
            DoubleVector u = u0.mul(qi).add(ROUND).sub(ROUND).fma(nq, u0);
            DoubleVector y = v0.rearrange(ys, v1);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = y.mul(w);
            DoubleVector v = y.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(y.fma(w, hi.neg()));
            DoubleVector sum = u.add(v);
            DoubleVector diff = u.sub(v);
            sum.rearrange(o0, diff).intoArray(x, j);
            sum.rearrange(o1, diff).intoArray(x, j + L);
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
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final double[] tw = iwSmall[k];
        final double[] twq = iwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = (DoubleVector) LongVector.fromArray(LS, a, j).convert(VectorOperators.L2D, 0);
            DoubleVector v1 = (DoubleVector) LongVector.fromArray(LS, a, j + L).convert(VectorOperators.L2D, 0);
            DoubleVector u = v0.rearrange(xs, v1);
            DoubleVector v = v0.rearrange(ys, v1);
            DoubleVector sum = u.add(v);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = d.mul(w);
            DoubleVector prod = d.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(d.fma(w, hi.neg()));
            sum.rearrange(o0, prod).intoArray(x, j);
            sum.rearrange(o1, prod).intoArray(x, j + L);
        }
    }

    private void inverseSmall(double[] x, int k) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final double[] tw = iwSmall[k];
        final double[] twq = iwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.rearrange(xs, v1);
            DoubleVector v = v0.rearrange(ys, v1);
            DoubleVector sum = u.add(v);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = d.mul(w);
            DoubleVector prod = d.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(d.fma(w, hi.neg()));
            sum.rearrange(o0, prod).intoArray(x, j);
            sum.rearrange(o1, prod).intoArray(x, j + L);
        }
    }

    private void inverseSmallReduced(double[] x, int k) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final double[] tw = iwSmall[k];
        final double[] twq = iwqSmall[k];
        final VectorShuffle<Double> xs = xShuffle[k];
        final VectorShuffle<Double> ys = yShuffle[k];
        final VectorShuffle<Double> o0 = out0Shuffle[k];
        final VectorShuffle<Double> o1 = out1Shuffle[k];
        for (int j = 0, c = 0; j < n; j += 2 * L, c += L) {
            DoubleVector v0 = DoubleVector.fromArray(DS, x, j);
            DoubleVector v1 = DoubleVector.fromArray(DS, x, j + L);
            DoubleVector u = v0.rearrange(xs, v1);
            DoubleVector v = v0.rearrange(ys, v1);
            DoubleVector s0 = u.add(v);
            DoubleVector sum = s0.mul(qi).add(ROUND).sub(ROUND).fma(nq, s0);
            DoubleVector d = u.sub(v);
            DoubleVector w = DoubleVector.fromArray(DS, tw, c);
            DoubleVector hi = d.mul(w);
            DoubleVector prod = d.mul(DoubleVector.fromArray(DS, twq, c)).add(ROUND).sub(ROUND)
                    .fma(nq, hi).add(d.fma(w, hi.neg()));
            sum.rearrange(o0, prod).intoArray(x, j);
            sum.rearrange(o1, prod).intoArray(x, j + L);
        }
    }

    private void inverseWide(double[] x, int gap, int h) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        for (int i = 0; i < h; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, iw[h + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, iwq[h + i]);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector v = DoubleVector.fromArray(DS, x, j + gap);
                u.add(v).intoArray(x, j);
                DoubleVector d = u.sub(v);
                DoubleVector hi = d.mul(w);
                d.mul(wq).add(ROUND).sub(ROUND).fma(nq, hi).add(d.fma(w, hi.neg())).intoArray(x, j + gap);
            }
        }
    }

    private void inverseWideReduced(double[] x, int gap, int h) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        for (int i = 0; i < h; i++) {
            final DoubleVector w = DoubleVector.broadcast(DS, iw[h + i]);
            final DoubleVector wq = DoubleVector.broadcast(DS, iwq[h + i]);
            final int j1 = 2 * i * gap;
            for (int j = j1, end = j1 + gap; j < end; j += L) {
                DoubleVector u = DoubleVector.fromArray(DS, x, j);
                DoubleVector v = DoubleVector.fromArray(DS, x, j + gap);
                DoubleVector s0 = u.add(v);
                s0.mul(qi).add(ROUND).sub(ROUND).fma(nq, s0).intoArray(x, j);
                DoubleVector d = u.sub(v);
                DoubleVector hi = d.mul(w);
                d.mul(wq).add(ROUND).sub(ROUND).fma(nq, hi).add(d.fma(w, hi.neg())).intoArray(x, j + gap);
            }
        }
    }

    /** Last inverse stage: one block of gap n/2, both outputs times 1/n, made canonical and stored as longs. */
    private void inverseLast(double[] x, long[] a) {
        final DoubleVector nq = DoubleVector.broadcast(DS, -q);
        final DoubleVector qi = DoubleVector.broadcast(DS, qinv);
        final DoubleVector ni = DoubleVector.broadcast(DS, nInv);
        final DoubleVector niq = DoubleVector.broadcast(DS, nInvQ);
        final DoubleVector lw = DoubleVector.broadcast(DS, lastW);
        final DoubleVector lwq = DoubleVector.broadcast(DS, lastWQ);
        final int half = n >> 1;
        for (int j = 0; j < half; j += L) {
            DoubleVector u = DoubleVector.fromArray(DS, x, j);
            DoubleVector v = DoubleVector.fromArray(DS, x, j + half);
            DoubleVector s = u.add(v);
            DoubleVector hs = s.mul(ni);
            DoubleVector ps = s.mul(niq).add(ROUND).sub(ROUND).fma(nq, hs).add(s.fma(ni, hs.neg()));
            DoubleVector rs = ps.mul(qi).add(ROUND).sub(ROUND).fma(nq, ps);
            ((LongVector) rs.sub(nq, rs.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j);
            DoubleVector d = u.sub(v);
            DoubleVector hd = d.mul(lw);
            DoubleVector pd = d.mul(lwq).add(ROUND).sub(ROUND).fma(nq, hd).add(d.fma(lw, hd.neg()));
            DoubleVector rd = pd.mul(qi).add(ROUND).sub(ROUND).fma(nq, pd);
            ((LongVector) rd.sub(nq, rd.lt(0.0)).convert(VectorOperators.D2L, 0)).intoArray(a, j + half);
        }
    }
}
