package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.ciphernet.nn.plan.DiagonalSchedule;

/**
 * Diagonal planning: chooses how each matrix–vector product {@code y = M·x} of a single-image plan
 * runs on a ciphertext of {@code slots} slots with the diagonal method (Halevi–Shoup),
 * {@code y = Σ_d diag_d ⊙ rot_d(x)}, and returns it as a {@link DiagonalSchedule}, with
 * <ul>
 *   <li>only the non-zero diagonals, each with zeros where M has none, so slots outside the valid
 *       input are ignored and no masking is ever needed;</li>
 *   <li>baby-step giant-step: {@code d = k·n1 + b}, the baby rotations {@code rot_b(x)} computed
 *       once with a shared decomposition (hoisting), each giant group summed with plaintext
 *       products and rotated by {@code k·n1}; n1 is chosen by search to minimize the cost;</li>
 *   <li>giant steps in Horner form, {@code (((y_K)·r + y_{K−1})·r + …)} with r the rotation by
 *       n1, when the giant indices are dense: the same count of rotations with two keys instead of
 *       one per step;</li>
 *   <li>optionally a <i>fold</i> for wide, short matrices (dense layers): with an output block o,
 *       each entry (i, j) goes to diagonal {@code (j − i) mod o} at slot {@code j − d}, and log-many
 *       rotate-and-add steps sum the slots congruent mod o into slot i. A dense 845→100 layer then
 *       needs 128 diagonals instead of 944.</li>
 * </ul>
 */
final class DiagonalPlanning {
    /** Relative costs used by the search: a key switch, a hoisted baby step, a plaintext product. */
    static final double ROTATION = 1.0;
    static final double HOISTED = 0.6;
    static final double PRODUCT = 0.02;

    private DiagonalPlanning() {
    }

    /**
     * Gives every linear product of a single-image or packed plan its schedule.
     *
     * @param slots the ciphertext's slots
     * @param stride the slots between the images of a packed ciphertext ({@code slots} for one image)
     */
    static void planAll(List<Step> steps, int slots, int stride) {
        planAll(steps, slots, stride, 1);
    }

    /**
     * Gives every linear product of an ensemble's single-image plan its schedule: a block-diagonal
     * matrix, {@code members} blocks {@code stride} slots apart (see {@link EnsembleMerging}), is
     * planned as one block would be in a packed plan, so it takes one member's diagonals, rotations
     * and folds; the last one, which also averages the members' outputs, reads every window and is
     * planned on the whole ciphertext (its fold sums the windows: a few more rotations).
     */
    static void planAll(List<Step> steps, int slots, int stride, int members) {
        for (Step s : steps) {
            if (s.isMatrixProduct()) {
                SparseMatrix m = s.node.matrix;
                int others = (members - 1) * stride;
                // the mean of an ensemble's outputs reads every window: it is planned on the whole ciphertext
                s.schedule = members == 1 || !blockDiagonal(m, stride) ? plan(m, slots, members == 1 ? stride : slots)
                        : plan(m, slots, stride, m.rows() - others, m.cols() - others);
                s.node.matrix = null; // the schedule holds every weight
            }
        }
    }

    /** Whether every entry's row and column lie in the same window of {@code stride} slots. */
    private static boolean blockDiagonal(SparseMatrix m, int stride) {
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                if (r / stride != m.colAt(k) / stride) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Plans {@code M·x} for a vector in slots [0, cols) of a {@code slots}-slot ciphertext. */
    static DiagonalSchedule plan(SparseMatrix m, int slots) {
        return plan(m, slots, slots);
    }

    /**
     * Plans {@code M·x} for one image in slots [0, cols), whose copies for other images sit
     * {@code stride} slots apart (the runtime repeats each diagonal at those distances). Every
     * operation is a rotation, a slot-wise product or a sum, so the copies stay apart if each
     * image's work stays within a window of {@code stride} slots: without a fold every entry
     * (i, j) moves by exactly {@code j − i}, within (−stride, stride), which is its rotation for
     * every copy; a fold sums {@code count} blocks of {@code o} slots from the first one, so it
     * must fit, {@code count·o ≤ stride}, as the partial products then lie in the same window.
     */
    static DiagonalSchedule plan(SparseMatrix m, int slots, int stride) {
        return plan(m, slots, stride, m.rows(), m.cols());
    }

    /**
     * {@link #plan(SparseMatrix, int, int)} for a block-diagonal matrix whose blocks (of at most
     * {@code blockRows × blockCols}, the first at the origin) sit {@code stride} slots apart on
     * both sides: every entry moves within its block's window as it would in a packed plan, so the
     * same conditions keep the blocks apart.
     */
    static DiagonalSchedule plan(SparseMatrix m, int slots, int stride, int blockRows, int blockCols) {
        if (blockRows > stride || blockCols > stride || m.rows() > slots || m.cols() > slots || stride > slots
                || slots % stride != 0) {
            throw new IllegalArgumentException("a " + m.rows() + "×" + m.cols() + " matrix of " + blockRows + "×" + blockCols
                    + " blocks does not fit windows of " + stride + " of " + slots + " slots");
        }
        double best = Double.MAX_VALUE;
        int bestFold = slots;
        List<Integer> candidates = new ArrayList<>();
        candidates.add(slots);
        for (int o = Integer.highestOneBit(Math.max(1, blockRows - 1)) << 1; o < slots; o <<= 1) {
            if (o >= blockRows && o + blockCols <= stride) {
                candidates.add(o);
            }
        }
        for (int o : candidates) {
            double cost = cost(m, slots, stride, o);
            if (cost < best) {
                best = cost;
                bestFold = o;
            }
        }
        return build(m, slots, bestFold);
    }

    private static int[] distinctDiagonals(SparseMatrix m, int slots, int o, int[] foldRange) {
        Set<Integer> d = new HashSet<>();
        int tMin = Integer.MAX_VALUE;
        int tMax = Integer.MIN_VALUE;
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                int j = m.colAt(k);
                int diag = Math.floorMod(j - r, o);
                d.add(diag);
                if (o < slots) {
                    int t = (j - diag - r) / o;
                    tMin = Math.min(tMin, t);
                    tMax = Math.max(tMax, t);
                }
            }
        }
        if (foldRange != null) {
            foldRange[0] = o < slots ? tMin : 0;
            foldRange[1] = o < slots ? tMax : 0;
        }
        return d.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    private static double cost(SparseMatrix m, int slots, int stride, int o) {
        int[] range = new int[2];
        int[] d = distinctDiagonals(m, slots, o, range);
        if (d.length == 0) {
            return 0;
        }
        Split s = bestSplit(centered(d, slots, o), slots);
        double foldCost = 0;
        if (o < slots) {
            int count = Integer.highestOneBit(range[1] - range[0]) << 1;
            if ((long) count * o > stride) {
                return Double.MAX_VALUE;
            }
            foldCost = ROTATION * (Integer.numberOfTrailingZeros(Math.max(1, count)) + (range[0] != 0 ? 1 : 0));
        }
        return s.cost + foldCost + PRODUCT * d.length;
    }

    private static int[] centered(int[] d, int slots, int o) {
        int[] c = new int[d.length];
        for (int i = 0; i < d.length; i++) {
            c[i] = o == slots && d[i] > slots / 2 ? d[i] - slots : d[i];
        }
        return c;
    }

    private record Split(int n1, double cost, boolean horner) {
    }

    private static Split bestSplit(int[] d, int slots) {
        Set<Integer> cands = new TreeSet<>();
        int g = 0;
        for (int x : d) {
            g = gcd(g, Math.abs(x));
        }
        for (int m = 1; m <= 256; m++) {
            cands.add(m);
            if (g > 1 && (long) g * m <= slots) {
                cands.add(g * m);
            }
        }
        for (int p = 512; p <= slots; p <<= 1) {
            cands.add(p);
        }
        Split best = null;
        for (int n1 : cands) {
            Set<Integer> b = new HashSet<>();
            Set<Integer> k = new HashSet<>();
            int kMin = Integer.MAX_VALUE;
            int kMax = Integer.MIN_VALUE;
            for (int x : d) {
                b.add(Math.floorMod(x, n1));
                int ki = Math.floorDiv(x, n1);
                k.add(ki);
                kMin = Math.min(kMin, ki);
                kMax = Math.max(kMax, ki);
            }
            double baby = HOISTED * (b.size() - (b.contains(0) ? 1 : 0));
            int classic = k.size() - (k.contains(0) ? 1 : 0);
            int hornerRots = kMax - kMin + (kMin != 0 ? 1 : 0);
            boolean useHorner = hornerRots <= classic;
            double cost = baby + ROTATION * Math.min(classic, hornerRots);
            if (best == null || cost < best.cost - 1e-9) {
                best = new Split(n1, cost, useHorner);
            }
        }
        return best;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private static DiagonalSchedule build(SparseMatrix m, int slots, int o) {
        int[] range = new int[2];
        int[] d = distinctDiagonals(m, slots, o, range);
        int[] dc = centered(d, slots, o);
        Split s = d.length == 0 ? new Split(1, 0, true) : bestSplit(dc, slots);
        int n1 = s.n1;
        TreeSet<Integer> bs = new TreeSet<>();
        TreeSet<Integer> ks = new TreeSet<>();
        for (int x : dc) {
            bs.add(Math.floorMod(x, n1));
            ks.add(Math.floorDiv(x, n1));
        }
        int[] babies = bs.stream().mapToInt(Integer::intValue).toArray();
        int[] giants = ks.stream().mapToInt(Integer::intValue).toArray();
        Map<Integer, Integer> babyPos = new HashMap<>();
        for (int i = 0; i < babies.length; i++) {
            babyPos.put(babies[i], i);
        }
        Map<Integer, Integer> giantPos = new HashMap<>();
        for (int i = 0; i < giants.length; i++) {
            giantPos.put(giants[i], i);
        }
        // count, then collect, the entries of each (giant, baby) diagonal
        int[] count = new int[giants.length * babies.length];
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                int j = m.colAt(k);
                int diag = Math.floorMod(j - r, o);
                int c = o == slots && diag > slots / 2 ? diag - slots : diag;
                int gi = giantPos.get(Math.floorDiv(c, n1));
                int bi = babyPos.get(Math.floorMod(c, n1));
                count[gi * babies.length + bi]++;
            }
        }
        int[][][] slotsOut = new int[giants.length][babies.length][];
        double[][][] valsOut = new double[giants.length][babies.length][];
        for (int gi = 0; gi < giants.length; gi++) {
            for (int bi = 0; bi < babies.length; bi++) {
                int c = count[gi * babies.length + bi];
                if (c > 0) {
                    slotsOut[gi][bi] = new int[c];
                    valsOut[gi][bi] = new double[c];
                }
            }
        }
        int[] fill = new int[giants.length * babies.length];
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                int j = m.colAt(k);
                int diag = Math.floorMod(j - r, o);
                int c = o == slots && diag > slots / 2 ? diag - slots : diag;
                int kk = Math.floorDiv(c, n1);
                int gi = giantPos.get(kk);
                int bi = babyPos.get(Math.floorMod(c, n1));
                int slotOfOutput = o == slots ? r : j - diag; // i'
                int f = fill[gi * babies.length + bi]++;
                // pre-rotated by the giant step: pt[i' + k·n1] = M[i][j]
                slotsOut[gi][bi][f] = Math.floorMod(slotOfOutput + kk * n1, slots);
                valsOut[gi][bi][f] = m.valueAt(k);
            }
        }
        int foldCount = o < slots ? Integer.highestOneBit(Math.max(1, range[1] - range[0])) << 1 : 1;
        if (o < slots && range[1] == range[0]) {
            foldCount = 1;
        }
        return new DiagonalSchedule(slots, o, range[0], foldCount, n1, babies, giants, s.horner, slotsOut, valsOut);
    }
}
