package org.ciphernet.ntt.internal;

import java.util.Arrays;

/**
 * One row of a sparse weighted sum {@code Σ_k w[k]·x[c[k]]} rewritten with its repeated weights
 * factored out: {@code Σ_g w_g·(Σ_{k∈g} x[c[k]])}, one group per distinct nonzero weight (terms of
 * weight 0 are dropped). Modulo q the two are equal exactly, so a kernel that computes either form
 * exactly and returns canonical residues gives the same bits. The grouped form trades one product
 * per term for one addition per term plus one product per group: it pays when a row has several
 * terms per distinct weight (clustered weights, Chielle et al. 2025; average pooling).
 *
 * @param columns the row's columns, ordered by group (group g is {@code columns[starts[g], starts[g+1])})
 * @param starts  {@code weights.length + 1} offsets into {@code columns}
 * @param weights the distinct nonzero weights, one per group, in order of first appearance
 */
public record WeightGroups(int[] columns, int[] starts, long[] weights) {

    /** The number of groups (distinct nonzero weights). */
    public int groups() {
        return weights.length;
    }

    /** The number of terms with a nonzero weight. */
    public int terms() {
        return columns.length;
    }

    /**
     * The grouped form of a row, or null when it would not pay: when the row has fewer than
     * {@code minTermsPerWeight} terms per distinct weight (counting the terms of weight 0, which the
     * grouped form drops). {@code minTermsPerWeight <= 0} never groups.
     */
    public static WeightGroups of(int[] columns, long[] weights, int minTermsPerWeight) {
        int n = columns.length;
        if (minTermsPerWeight <= 0 || n == 0 || minTermsPerWeight > n) {
            return null;
        }
        // distinct weights by sorting a copy (rows are short: a few thousand terms at most)
        long[] sorted = weights.clone();
        Arrays.sort(sorted);
        int distinct = 0;
        for (int k = 0; k < n; k++) {
            if (k == 0 || sorted[k] != sorted[k - 1]) {
                distinct++;
            }
        }
        if ((long) n < (long) minTermsPerWeight * distinct) {
            return null;
        }
        // group ids in order of first appearance; the terms of weight 0 are left out
        java.util.HashMap<Long, Integer> ids = new java.util.HashMap<>();
        int[] groupOf = new int[n];
        long[] w = new long[distinct];
        int groups = 0;
        for (int k = 0; k < n; k++) {
            if (weights[k] == 0) {
                groupOf[k] = -1;
                continue;
            }
            Integer id = ids.get(weights[k]);
            if (id == null) {
                id = groups;
                ids.put(weights[k], id);
                w[groups++] = weights[k];
            }
            groupOf[k] = id;
        }
        int[] starts = new int[groups + 1];
        for (int k = 0; k < n; k++) {
            if (groupOf[k] >= 0) {
                starts[groupOf[k] + 1]++;
            }
        }
        for (int g = 0; g < groups; g++) {
            starts[g + 1] += starts[g];
        }
        int[] fill = Arrays.copyOf(starts, groups);
        int[] cols = new int[starts[groups]];
        for (int k = 0; k < n; k++) {
            if (groupOf[k] >= 0) {
                cols[fill[groupOf[k]]++] = columns[k];
            }
        }
        return new WeightGroups(cols, starts, Arrays.copyOf(w, groups));
    }
}
