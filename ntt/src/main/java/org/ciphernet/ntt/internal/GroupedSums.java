package org.ciphernet.ntt.internal;

import java.util.function.BiFunction;

/**
 * Sparse weighted sums in which the rows with repeated weights are computed in their grouped form
 * ({@link WeightGroups}): per block of coefficients, each group's operands are added into one
 * residue array, then the group sums are weighted by the kernel's own
 * {@link LimbKernel#multiplyAccumulateScalars}; the other rows go to a plain preparation. Used by
 * the scalar backend (the vector backend does not group here: its additions would run one element
 * at a time, slower than its vectorized products).
 *
 * <p><b>Exactness.</b> A group sum starts at 0 and adds canonical operands {@code 0 <= x < q} one at
 * a time, subtracting q whenever it reaches q: before each addition {@code 0 <= s < q}, so
 * {@code s + x < 2q < 2^62} (every kernel prime is below 2^61) never overflows a long, and after the
 * subtraction s is again canonical and equal to the exact sum modulo q. The weighted sum of the
 * canonical group sums is then exact and canonical (the kernel's contract), and since
 * {@code Σ_g w_g·Σ_{k∈g} x_k ≡ Σ_k w_k·x_k (mod q)} it is the same residue, bit for bit, as the
 * term-by-term sum.
 */
public final class GroupedSums implements PreparedSums {
    /**
     * Fewest terms per distinct weight for which the scalar kernel groups a row: a term costs a
     * 64×64→128-bit multiply-accumulate term by term and a modular addition grouped. Measured on
     * 100 rows of 845 terms (bench/RESULTS.md, "Issue 17"): grouped is 2.2× faster at about 2
     * terms per weight and 3.2–5.1× at 3 to 105; rows of all-distinct weights are left alone.
     */
    public static final int MIN_TERMS_PER_WEIGHT = 2;
    /** Coefficients per block: the group sums of a row stay in L1/L2. */
    private static final int BLOCK = 256;
    private static final ThreadLocal<long[][]> scratch = ThreadLocal.withInitial(() -> new long[0][]);

    private final LimbKernel kernel;
    private final long q;
    private final int[] plainRows;
    private final PreparedSums plain;
    private final int[] groupedRows;
    private final WeightGroups[] groups;
    private final int maxGroups;

    private GroupedSums(LimbKernel kernel, int[] plainRows, PreparedSums plain, int[] groupedRows, WeightGroups[] groups) {
        this.kernel = kernel;
        this.q = kernel.modulus();
        this.plainRows = plainRows;
        this.plain = plain;
        this.groupedRows = groupedRows;
        this.groups = groups;
        int most = 0;
        for (WeightGroups g : groups) {
            most = Math.max(most, g.groups());
        }
        this.maxGroups = most;
    }

    /**
     * Prepares rows (validated, canonical weights): those with at least {@code minTermsPerWeight}
     * terms per distinct weight are grouped, the others prepared by {@code plain} (given the subset
     * of columns and weights). Returns {@code plain}'s preparation of every row when none is grouped.
     */
    public static PreparedSums prepare(LimbKernel kernel, int[][] columns, long[][] weights, int minTermsPerWeight,
            BiFunction<int[][], long[][], PreparedSums> plain) {
        int rows = columns.length;
        WeightGroups[] all = new WeightGroups[rows];
        int grouped = 0;
        for (int r = 0; r < rows; r++) {
            all[r] = WeightGroups.of(columns[r], weights[r], minTermsPerWeight);
            grouped += all[r] != null ? 1 : 0;
        }
        if (grouped == 0) {
            return plain.apply(columns, weights);
        }
        int[] plainRows = new int[rows - grouped];
        int[] groupedRows = new int[grouped];
        WeightGroups[] groups = new WeightGroups[grouped];
        int[][] pc = new int[rows - grouped][];
        long[][] pw = new long[rows - grouped][];
        for (int r = 0, p = 0, g = 0; r < rows; r++) {
            if (all[r] == null) {
                plainRows[p] = r;
                pc[p] = columns[r];
                pw[p++] = weights[r];
            } else {
                groupedRows[g] = r;
                groups[g++] = all[r];
            }
        }
        return new GroupedSums(kernel, plainRows, plainRows.length == 0 ? null : plain.apply(pc, pw), groupedRows, groups);
    }

    @Override
    public void apply(long[][] in, long[][] out, int from, int to) {
        if (plain != null) {
            long[][] o = new long[plainRows.length][];
            for (int p = 0; p < o.length; p++) {
                o[p] = out[plainRows[p]];
            }
            plain.apply(in, o, from, to);
        }
        long[][] s = scratch.get();
        if (s.length < maxGroups + 1) {
            s = new long[maxGroups + 1][BLOCK];
            scratch.set(s);
        }
        long[] acc = s[maxGroups];
        for (int j = 0; j < groupedRows.length; j++) {
            WeightGroups wg = groups[j];
            long[] o = out[groupedRows[j]];
            for (int base = from; base < to; base += BLOCK) {
                int len = Math.min(BLOCK, to - base);
                for (int g = 0; g < wg.groups(); g++) {
                    groupSum(in, wg, g, s[g], base, len);
                }
                java.util.Arrays.fill(acc, 0, len, 0L);
                kernel.multiplyAccumulateScalars(acc, s, wg.weights(), wg.groups(), len);
                System.arraycopy(acc, 0, o, base, len);
            }
        }
    }

    /** {@code sum[0, len) = Σ_{k∈g} in[c_k][base, base + len) mod q}, canonical (see the class comment). */
    private void groupSum(long[][] in, WeightGroups wg, int g, long[] sum, int base, int len) {
        java.util.Arrays.fill(sum, 0, len, 0L);
        int[] cols = wg.columns();
        for (int k = wg.starts()[g], end = wg.starts()[g + 1]; k < end; k++) {
            long[] x = in[cols[k]];
            if (x == null) {
                continue;
            }
            for (int i = 0; i < len; i++) {
                long v = sum[i] + x[base + i];
                sum[i] = v >= q ? v - q : v;
            }
        }
    }
}
