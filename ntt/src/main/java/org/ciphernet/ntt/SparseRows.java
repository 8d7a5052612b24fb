package org.ciphernet.ntt;

import org.ciphernet.ntt.internal.PreparedSums;

/**
 * Rows of a sparse weight matrix prepared for one modulus: output r is
 * {@code Σ_k weights[r][k] · in[columns[r][k]]}. Made by {@link LimbOps#prepareSparseRows}, which
 * checks the rows once and lets the backend lay them out for its kernel (on the vector backend:
 * weights split for exact double arithmetic, rows with the same columns paired); then applied by
 * {@link LimbOps#sparseWeightedSums(long[][], SparseRows, long[][], int, int)} to any number of
 * operand sets and coefficient ranges, such as the parts and blocks of a batched linear layer.
 * Immutable and safe to share between threads.
 */
public final class SparseRows {
    private final LimbOps ops;
    private final int inputs;
    private final int rows;
    private final PreparedSums sums;

    SparseRows(LimbOps ops, int inputs, int rows, PreparedSums sums) {
        this.ops = ops;
        this.inputs = inputs;
        this.rows = rows;
        this.sums = sums;
    }

    /** The number of operands the rows read from (columns lie in {@code [0, inputs)}). */
    public int inputs() {
        return inputs;
    }

    /** The number of rows, one output each. */
    public int rows() {
        return rows;
    }

    LimbOps ops() {
        return ops;
    }

    PreparedSums sums() {
        return sums;
    }
}
