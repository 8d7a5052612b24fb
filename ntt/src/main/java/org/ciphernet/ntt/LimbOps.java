package org.ciphernet.ntt;

import java.util.Objects;
import org.ciphernet.ntt.internal.LimbKernel;

/**
 * Element-wise arithmetic on limbs: arrays of canonical residues modulo one prime, as held per
 * prime by an RNS polynomial. Outputs are canonical; an output may be the same array as an input.
 * Immutable and safe to share between threads.
 */
public final class LimbOps {
    private final Modulus modulus;
    private final Backend backend;
    private final LimbKernel kernel;

    private LimbOps(Modulus modulus, Backend backend) {
        this.modulus = modulus;
        this.backend = backend;
        this.kernel = backend.limbKernel(modulus);
    }

    /** Limb arithmetic modulo q on the preferred backend. */
    public static LimbOps of(Modulus q) {
        return of(q, Backend.preferred());
    }

    /** Limb arithmetic modulo q on a chosen backend. */
    public static LimbOps of(Modulus q, Backend backend) {
        return new LimbOps(Objects.requireNonNull(q, "modulus"), Objects.requireNonNull(backend, "backend"));
    }

    public Modulus modulus() {
        return modulus;
    }

    public Backend backend() {
        return backend;
    }

    /** {@code out = a + b}. */
    public void add(long[] a, long[] b, long[] out) {
        kernel.add(a, b, out, sameLength(a, b, out));
    }

    /** {@code out = a + s} for a canonical scalar s (adding a constant polynomial in NTT form, or a constant to every coefficient). */
    public void addScalar(long[] a, long s, long[] out) {
        checkResidue(s);
        kernel.addScalar(a, s, out, sameLength(a, out, out));
    }

    /** {@code out = a - b}. */
    public void sub(long[] a, long[] b, long[] out) {
        kernel.sub(a, b, out, sameLength(a, b, out));
    }

    /** {@code out = -a}. */
    public void negate(long[] a, long[] out) {
        kernel.negate(a, out, sameLength(a, out, out));
    }

    /** {@code out = a ∘ b} (element-wise product). */
    public void multiply(long[] a, long[] b, long[] out) {
        kernel.multiply(a, b, out, sameLength(a, b, out));
    }

    /** {@code out = s · a} for a canonical scalar s. */
    public void multiplyScalar(long[] a, long s, long[] out) {
        checkResidue(s);
        kernel.multiplyScalar(a, s, out, sameLength(a, out, out));
    }

    /**
     * {@code acc += Σ_i b[i] ∘ c[i]} over all pairs with the reduction of the sum delayed across
     * the terms (exact 128-bit sums on the scalar path; on the vector path, signed partial products
     * accumulated and reduced only when the bound requires it): the inner loop of key switching
     * and of plaintext-weight linear layers.
     */
    public void multiplyAccumulate(long[] acc, long[][] b, long[][] c) {
        if (b.length != c.length) {
            throw new IllegalArgumentException(b.length + " left operands but " + c.length + " right operands");
        }
        for (int t = 0; t < b.length; t++) {
            sameLength(acc, b[t], c[t]);
        }
        kernel.multiplyAccumulate(acc, b, c, b.length, acc.length);
    }

    /**
     * Two multiply-accumulates sharing their left operands, {@code acc0 += Σ_i b[i] ∘ c0[i]} and
     * {@code acc1 += Σ_i b[i] ∘ c1[i]}, each {@code b[i]} read once for both (key switching: the
     * digits times the key's two parts). The results are those of
     * {@code multiplyAccumulate(acc0, b, c0)} followed by {@code multiplyAccumulate(acc1, b, c1)}, bit
     * for bit, on every backend.
     *
     * @throws IllegalArgumentException when the operand counts or the lengths differ, when
     *         {@code acc0} and {@code acc1} are the same array, or when an accumulator is also one of the
     *         operands (unlike {@link #multiplyAccumulate}, the two sums are interleaved, so no output
     *         may be an input)
     */
    public void multiplyAccumulatePair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1) {
        checkPair(acc0, acc1, b, c0, c1);
        kernel.multiplyAccumulatePair(acc0, acc1, b, c0, c1, b.length, acc0.length);
    }

    /** The argument checks of the pair multiply-accumulates: counts, lengths, no aliasing of an accumulator. */
    private static void checkPair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1) {
        if (b.length != c0.length || b.length != c1.length) {
            throw new IllegalArgumentException(b.length + " left operands but " + c0.length + " and " + c1.length
                    + " right operands");
        }
        sameLength(acc0, acc1, acc1);
        if (acc0 == acc1) {
            throw new IllegalArgumentException("the two accumulators are the same array");
        }
        for (int t = 0; t < b.length; t++) {
            sameLength(acc0, b[t], c0[t]);
            sameLength(acc0, c1[t], c1[t]);
            if (isEither(b[t], acc0, acc1) || isEither(c0[t], acc0, acc1) || isEither(c1[t], acc0, acc1)) {
                throw new IllegalArgumentException("an accumulator is also an operand of term " + t);
            }
        }
    }

    /** {@code acc += Σ_i s[i] · b[i]} for canonical scalars s[i], with the same delayed reduction. */
    public void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s) {
        if (b.length != s.length) {
            throw new IllegalArgumentException(b.length + " operands but " + s.length + " scalars");
        }
        for (int t = 0; t < b.length; t++) {
            sameLength(acc, b[t], acc);
            checkResidue(s[t]);
        }
        kernel.multiplyAccumulateScalars(acc, b, s, b.length, acc.length);
    }

    /**
     * Four sums over the same operands: {@code acc[r] += Σ_i s[r][i] · b[i]} for r = 0…3, each
     * operand read once for the four rows (dense weighted sums). Same results as four calls of
     * {@link #multiplyAccumulateScalars}.
     */
    public void multiplyAccumulateScalars4(long[][] acc, long[][] b, long[][] s) {
        if (acc.length != 4 || s.length != 4) {
            throw new IllegalArgumentException("need 4 accumulators and 4 scalar rows, got " + acc.length + " and " + s.length);
        }
        for (int r = 0; r < 4; r++) {
            if (b.length != s[r].length) {
                throw new IllegalArgumentException(b.length + " operands but " + s[r].length + " scalars in row " + r);
            }
            for (int t = 0; t < b.length; t++) {
                sameLength(acc[r], b[t], acc[r]);
                checkResidue(s[r][t]);
            }
        }
        kernel.multiplyAccumulateScalars4(acc, b, s, b.length, acc[0].length);
    }

    /**
     * {@code out = v mod q} for the centered representative v ({@code |v| <= p/2}) of each element
     * of {@code a}, canonical residues modulo another modulus p: how a rescale or modulus switch
     * brings the residues of the dropped prime to this one (so that subtracting them rounds to
     * nearest).
     */
    public void liftCentered(long[] a, long p, long[] out) {
        if (p < 2) {
            throw new IllegalArgumentException("modulus " + p + " is below 2");
        }
        kernel.liftCentered(a, p, out, sameLength(a, out, out));
    }

    /**
     * Sparse weighted sums of shared operands, the batched (one image per slot) form of a dense or
     * convolutional layer on one limb: {@code out[r][i] = Σ_k weights[r][k] · in[columns[r][k]][i]}
     * for every row r and every i in {@code [from, to)}, overwriting that range of {@code out[r]}. A
     * null input counts as zero (a ciphertext without that part); weights are canonical residues;
     * outputs must not be inputs. The vector backend keeps each row's sums in registers
     * over tiles of coefficients for primes below about 2^32 (two exact fused multiply-adds per term);
     * every backend gives the same canonical result. Prepares the rows on every call: to apply the
     * same rows several times, use {@link #prepareSparseRows} once.
     */
    public void sparseWeightedSums(long[][] in, int[][] columns, long[][] weights, long[][] out, int from, int to) {
        sparseWeightedSums(in, prepareSparseRows(columns, weights, in.length), out, from, to);
    }

    /**
     * Checks and prepares rows of sparse weights for {@link #sparseWeightedSums(long[][], SparseRows, long[][], int, int)}:
     * row r reads operands {@code columns[r][k]} (each in {@code [0, inputs)}) with canonical weights
     * {@code weights[r][k]}. The arrays are copied.
     *
     * @throws IllegalArgumentException when the shapes differ or a weight is not a residue
     * @throws IndexOutOfBoundsException when a column lies outside {@code [0, inputs)}
     */
    public SparseRows prepareSparseRows(int[][] columns, long[][] weights, int inputs) {
        return prepareSparseRows(columns, weights, inputs, true);
    }

    /**
     * {@link #prepareSparseRows(int[][], long[][], int)}, choosing whether rows with repeated weights
     * may be computed in grouped form: with {@code groupRepeatedWeights} (the default), a row with
     * enough terms per distinct weight (clustered or pooling weights) adds the operands that share a
     * weight first and multiplies each group's sum by its weight once; without it every term is a
     * multiply-accumulate. The results are the same canonical residues either way, bit for bit;
     * {@code false} exists for comparisons and benchmarks. Where grouping pays depends on the
     * backend: the scalar one groups rows of at least 2 terms per distinct weight; the vector one,
     * whose paired term-by-term rows are bound by loads rather than products, groups none unless the
     * system property {@code ciphernet.vector.groupMinTermsPerWeight} sets a threshold (measured in
     * bench/RESULTS.md, "Issue 17").
     *
     * @throws IllegalArgumentException when the shapes differ or a weight is not a residue
     * @throws IndexOutOfBoundsException when a column lies outside {@code [0, inputs)}
     */
    public SparseRows prepareSparseRows(int[][] columns, long[][] weights, int inputs, boolean groupRepeatedWeights) {
        if (columns.length != weights.length) {
            throw new IllegalArgumentException(columns.length + " column rows but " + weights.length + " weight rows");
        }
        if (inputs < 0) {
            throw new IllegalArgumentException("negative number of inputs: " + inputs);
        }
        int[][] c = new int[columns.length][];
        long[][] w = new long[columns.length][];
        for (int r = 0; r < columns.length; r++) {
            if (columns[r].length != weights[r].length) {
                throw new IllegalArgumentException("row " + r + " has " + columns[r].length + " columns but "
                        + weights[r].length + " weights");
            }
            c[r] = columns[r].clone();
            w[r] = weights[r].clone();
            for (int k = 0; k < c[r].length; k++) {
                if (c[r][k] < 0 || c[r][k] >= inputs) {
                    throw new IndexOutOfBoundsException("row " + r + " reads input " + c[r][k] + " of " + inputs);
                }
                checkResidue(w[r][k]);
            }
        }
        return new SparseRows(this, inputs, c.length, kernel.prepareSparseSums(c, w, inputs, groupRepeatedWeights));
    }

    /**
     * {@link #sparseWeightedSums(long[][], int[][], long[][], long[][], int, int)} with prepared rows:
     * {@code in} must hold {@code rows.inputs()} operands (null ones count as zero) and {@code out}
     * one array per row; outputs must not be inputs.
     *
     * @throws IllegalArgumentException when the rows were prepared for another modulus or backend, or the counts differ
     * @throws IndexOutOfBoundsException when an array is shorter than {@code to}
     */
    public void sparseWeightedSums(long[][] in, SparseRows rows, long[][] out, int from, int to) {
        if (rows.ops().modulus().value() != modulus.value() || rows.ops().backend() != backend) {
            throw new IllegalArgumentException("the rows were prepared for modulus " + rows.ops().modulus().value()
                    + " on " + rows.ops().backend() + ", not for modulus " + modulus.value() + " on " + backend);
        }
        if (in.length != rows.inputs() || out.length != rows.rows()) {
            throw new IllegalArgumentException(in.length + " inputs and " + out.length + " outputs for rows prepared for "
                    + rows.inputs() + " inputs and " + rows.rows() + " rows");
        }
        if (from < 0 || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ")");
        }
        for (long[] x : in) {
            if (x != null && x.length < to) {
                throw new IndexOutOfBoundsException("an input of length " + x.length + " for the range [" + from + ", " + to + ")");
            }
        }
        for (int r = 0; r < out.length; r++) {
            if (out[r].length < to) {
                throw new IndexOutOfBoundsException("output " + r + " of length " + out[r].length + " for the range [" + from + ", " + to + ")");
            }
        }
        if (out.length > 0 && to > from) {
            rows.sums().apply(in, out, from, to);
        }
    }

    /**
     * {@code acc += Σ_i s[i] · b[i]} where the elements of {@code b} are residues of other primes
     * (basis conversion): they must be below 2^50 when {@code operandsBelow2To50} is true, which the
     * caller guarantees; otherwise this LimbOps must be on the scalar backend (any 61-bit operand).
     */
    void multiplyAccumulateScalarsUnreduced(long[] acc, long[][] b, long[] s, boolean operandsBelow2To50) {
        if (!operandsBelow2To50 && backend != Backend.SCALAR) {
            throw new IllegalStateException("operands of 50 bits or more need the scalar backend");
        }
        for (int t = 0; t < b.length; t++) {
            sameLength(acc, b[t], acc);
            checkResidue(s[t]);
        }
        kernel.multiplyAccumulateScalars(acc, b, s, b.length, acc.length);
    }

    private static boolean isEither(long[] x, long[] a, long[] b) {
        return x == a || x == b;
    }

    private void checkResidue(long s) {
        if (s < 0 || s >= modulus.value()) {
            throw new IllegalArgumentException("scalar " + s + " is not a residue modulo " + modulus.value());
        }
    }

    private static int sameLength(long[] a, long[] b, long[] c) {
        if (a.length != b.length || a.length != c.length) {
            throw new IllegalArgumentException("limb lengths differ: " + a.length + ", " + b.length + ", " + c.length);
        }
        return a.length;
    }
}
