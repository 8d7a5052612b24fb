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
     * Sparse weighted sums of shared operands, the batched (one image per slot) form of a dense or
     * convolutional layer on one limb: {@code out[r][i] = Σ_k weights[r][k] · in[columns[r][k]][i]}
     * for every row r and every i in {@code [from, to)}, overwriting that range of {@code out[r]}. A
     * null input counts as zero (a ciphertext without that part); weights are canonical residues;
     * outputs must not be inputs. The vector backend keeps each row's sums in registers
     * over tiles of coefficients for primes below about 2^32 (two exact fused multiply-adds per term);
     * every backend gives the same canonical result.
     */
    public void sparseWeightedSums(long[][] in, int[][] columns, long[][] weights, long[][] out, int from, int to) {
        if (columns.length != weights.length || columns.length != out.length) {
            throw new IllegalArgumentException(columns.length + " column rows, " + weights.length + " weight rows and "
                    + out.length + " outputs");
        }
        if (from < 0 || from > to) {
            throw new IndexOutOfBoundsException("range [" + from + ", " + to + ")");
        }
        for (long[] x : in) {
            if (x != null && x.length < to) {
                throw new IndexOutOfBoundsException("an input of length " + x.length + " for the range [" + from + ", " + to + ")");
            }
        }
        for (int r = 0; r < columns.length; r++) {
            if (out[r].length < to) {
                throw new IndexOutOfBoundsException("output " + r + " of length " + out[r].length + " for the range [" + from + ", " + to + ")");
            }
            if (columns[r].length != weights[r].length) {
                throw new IllegalArgumentException("row " + r + " has " + columns[r].length + " columns but "
                        + weights[r].length + " weights");
            }
            for (int k = 0; k < columns[r].length; k++) {
                if (columns[r][k] < 0 || columns[r][k] >= in.length) {
                    throw new IndexOutOfBoundsException("row " + r + " reads input " + columns[r][k] + " of " + in.length);
                }
                checkResidue(weights[r][k]);
            }
        }
        if (columns.length > 0 && to > from) {
            kernel.sparseWeightedSums(in, columns, weights, out, from, to);
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
