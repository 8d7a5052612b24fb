package org.ciphernet.ntt.internal;

/**
 * Element-wise arithmetic on one limb (residues modulo one prime), one implementation per backend.
 * Inputs are canonical residues in {@code [0, q)}; outputs are canonical. Output arrays may alias
 * inputs. Lengths are checked by the public façade.
 */
public interface LimbKernel {
    /** The modulus q. */
    long modulus();

    void add(long[] a, long[] b, long[] out, int len);

    void sub(long[] a, long[] b, long[] out, int len);

    /** {@code out = a + s}, s canonical. */
    void addScalar(long[] a, long s, long[] out, int len);

    void negate(long[] a, long[] out, int len);

    void multiply(long[] a, long[] b, long[] out, int len);

    /** {@code out = a * s}, s canonical. */
    void multiplyScalar(long[] a, long s, long[] out, int len);

    /**
     * {@code out = v mod q} where v is the centered representative ({@code |v| <= p/2}) of each
     * element of {@code a}, a canonical residue modulo another modulus p (the step of a rescale that
     * brings the dropped prime's residues to the others).
     */
    void liftCentered(long[] a, long p, long[] out, int len);

    /** {@code acc += sum_i b[i] * c[i]} over the first {@code terms} pairs, reduced once per element. */
    void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int len);

    /**
     * Two sums sharing their left operands, {@code acc0 += sum_i b[i] * c0[i]} and
     * {@code acc1 += sum_i b[i] * c1[i]} (key switching: the digits times the key's two parts). The
     * accumulators are distinct arrays and neither is an operand (checked by the façade). The default
     * makes two {@link #multiplyAccumulate} calls; an implementation that loads each {@code b[i]}
     * once must give the same canonical results, bit for bit.
     */
    default void multiplyAccumulatePair(long[] acc0, long[] acc1, long[][] b, long[][] c0, long[][] c1, int terms, int len) {
        multiplyAccumulate(acc0, b, c0, terms, len);
        multiplyAccumulate(acc1, b, c1, terms, len);
    }

    /** {@code acc += sum_i b[i] * s[i]} with scalars {@code s[i]} (the basis-conversion inner loop). */
    void multiplyAccumulateScalars(long[] acc, long[][] b, long[] s, int terms, int len);

    /**
     * Four weighted sums of the same operands, {@code acc[r] += sum_i b[i] * s[r][i]} for r < 4:
     * each operand is loaded once for the four rows (dense layers). The default runs the rows one
     * by one; results are canonical, so every implementation agrees bit for bit.
     */
    default void multiplyAccumulateScalars4(long[][] acc, long[][] b, long[][] s, int terms, int len) {
        for (int r = 0; r < 4; r++) {
            multiplyAccumulateScalars(acc[r], b, s[r], terms, len);
        }
    }

    /**
     * Sparse weighted sums prepared once for given rows (validated by the façade; the arrays are
     * not modified afterwards), rows with repeated weights grouped where that pays: the same as
     * {@code prepareSparseSums(columns, weights, inputs, true)}.
     */
    default PreparedSums prepareSparseSums(int[][] columns, long[][] weights, int inputs) {
        return prepareSparseSums(columns, weights, inputs, true);
    }

    /**
     * Sparse weighted sums prepared once for given rows. With {@code group}, rows with at least
     * {@link GroupedSums#MIN_TERMS_PER_WEIGHT} terms per distinct weight are computed in their
     * grouped form ({@link WeightGroups}: operands of equal weight added first, one product per
     * group), the others term by term; without it every row is computed term by term. Both give
     * the same canonical residues. The default runs {@link #sparseWeightedSums} on every call for
     * the rows it does not group.
     */
    default PreparedSums prepareSparseSums(int[][] columns, long[][] weights, int inputs, boolean group) {
        return GroupedSums.prepare(this, columns, weights, group ? GroupedSums.MIN_TERMS_PER_WEIGHT : 0,
                (c, w) -> (in, out, from, to) -> sparseWeightedSums(in, c, w, out, from, to));
    }

    /**
     * Sparse weighted sums of shared operands on the index range {@code [from, to)}:
     * {@code out[r][i] = sum_k weights[r][k] * in[columns[r][k]][i]} for every row r; a null input
     * counts as zero. The default copies the range out (when it does not start at 0) and runs the
     * rows one by one, four at a time where four consecutive rows read the same columns.
     */
    default void sparseWeightedSums(long[][] in, int[][] columns, long[][] weights, long[][] out, int from, int to) {
        int len = to - from;
        long[][] x0 = in;
        long[][] o = out;
        if (from != 0) {
            x0 = new long[in.length][];
            for (int c = 0; c < in.length; c++) {
                x0[c] = in[c] == null ? null : java.util.Arrays.copyOfRange(in[c], from, to);
            }
            o = new long[out.length][len];
        }
        int rows = columns.length;
        long[][] acc4 = new long[4][];
        for (int r = 0; r < rows; ) {
            boolean four = r + 3 < rows && java.util.Arrays.equals(columns[r], columns[r + 1])
                    && java.util.Arrays.equals(columns[r], columns[r + 2]) && java.util.Arrays.equals(columns[r], columns[r + 3]);
            int group = four ? 4 : 1;
            int terms = 0;
            for (int c : columns[r]) {
                terms += x0[c] != null ? 1 : 0;
            }
            long[][] x = new long[terms][];
            long[][] s = new long[4][terms];
            int t = 0;
            for (int k = 0; k < columns[r].length; k++) {
                if (x0[columns[r][k]] != null) {
                    x[t] = x0[columns[r][k]];
                    for (int g = 0; g < group; g++) {
                        s[g][t] = weights[r + g][k];
                    }
                    t++;
                }
            }
            for (int g = 0; g < group; g++) {
                java.util.Arrays.fill(o[r + g], 0, len, 0L);
            }
            if (four) {
                for (int g = 0; g < 4; g++) {
                    acc4[g] = o[r + g];
                }
                multiplyAccumulateScalars4(acc4, x, s, terms, len);
            } else {
                multiplyAccumulateScalars(o[r], x, s[0], terms, len);
            }
            r += group;
        }
        if (from != 0) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(o[r], 0, out[r], from, len);
            }
        }
    }
}
