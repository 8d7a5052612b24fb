package org.ciphernet.ntt.internal;

/**
 * Element-wise arithmetic on one limb (residues modulo one prime), one implementation per backend.
 * Inputs are canonical residues in {@code [0, q)}; outputs are canonical. Output arrays may alias
 * inputs. Lengths are checked by the public façade.
 */
public interface LimbKernel {
    void add(long[] a, long[] b, long[] out, int len);

    void sub(long[] a, long[] b, long[] out, int len);

    void negate(long[] a, long[] out, int len);

    void multiply(long[] a, long[] b, long[] out, int len);

    /** {@code out = a * s}, s canonical. */
    void multiplyScalar(long[] a, long s, long[] out, int len);

    /** {@code acc += sum_i b[i] * c[i]} over the first {@code terms} pairs, reduced once per element. */
    void multiplyAccumulate(long[] acc, long[][] b, long[][] c, int terms, int len);

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
}
