package org.ciphernet.ntt.internal;

/**
 * Sparse weighted sums {@code out[r][i] = sum_k w[r][k] * in[c[r][k]][i]} whose rows were prepared
 * once by a {@link LimbKernel} (split weights, grouped rows) for use on many operand sets and
 * coefficient ranges. Immutable and safe to share between threads.
 */
@FunctionalInterface
public interface PreparedSums {
    /** Overwrites {@code out[r]} on {@code [from, to)}; a null input counts as zero. */
    void apply(long[][] in, long[][] out, int from, int to);
}
