package org.ciphernet.nn.plan;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.IntConsumer;

/**
 * How one matrix–vector product {@code y = M·x} runs on a ciphertext of {@code slots} slots by the
 * diagonal method (Halevi–Shoup), {@code y = Σ_d diag_d ⊙ rot_d(x)}, with baby-step giant-step
 * rotations: {@code d = k·n1 + b}; the baby rotations {@code rot_b(x)} share one decomposition
 * (hoisting); each giant group is a sum of plaintext products rotated by {@code k·n1}, directly or
 * in Horner form {@code (((y_K)·r + y_{K−1})·r + …)} with r the rotation by n1. With a
 * <i>fold</i> (wide, short matrices) entry (i, j) sits on diagonal {@code (j − i) mod fold} and
 * log-many rotate-and-add steps by multiples of {@code fold} sum the partial results into slot i.
 *
 * <p>The schedule holds only the non-zero entries of each (giant, baby) diagonal, already rotated
 * by the giant step ({@code pt[i' + k·n1] = M[i][j]}); {@link #diagonal} expands one into a slot
 * vector. The compiler chooses n1, Horner form and fold by cost; runtimes only follow.
 */
public final class DiagonalSchedule {
    private final int slots;
    private final int fold;
    private final int foldStart;
    private final int foldCount;
    private final int n1;
    private final int[] babies;
    private final int[] giants;
    private final boolean horner;
    private final int[][][] entrySlots;
    private final double[][][] entryValues;
    private final int diagonals;

    /**
     * A schedule.
     *
     * @param slots the ciphertext's slots (a power of two)
     * @param fold the fold's output block, or {@code slots} without a fold
     * @param foldStart the first fold offset, in blocks
     * @param foldCount the blocks the fold sums (a power of two; 1 without a fold)
     * @param n1 the baby-step range
     * @param babies the baby rotations, increasing, in [0, n1)
     * @param giants the giant indices, increasing
     * @param horner whether the giant steps run in Horner form
     * @param entrySlots per giant, per baby: the slots of the diagonal's non-zero entries, or null
     * @param entryValues per giant, per baby: their values, or null
     * @throws IllegalArgumentException if the shapes disagree or a slot is out of range
     */
    public DiagonalSchedule(int slots, int fold, int foldStart, int foldCount, int n1, int[] babies, int[] giants, boolean horner,
            int[][][] entrySlots, double[][][] entryValues) {
        if (slots < 1 || Integer.bitCount(slots) != 1 || fold < 1 || fold > slots || foldCount < 1 || Integer.bitCount(foldCount) != 1
                || n1 < 1 || n1 > slots) {
            throw new IllegalArgumentException("diagonal schedule: slots " + slots + ", fold " + fold + "×" + foldCount + ", n1 " + n1);
        }
        this.slots = slots;
        this.fold = fold;
        this.foldStart = foldStart;
        this.foldCount = foldCount;
        this.n1 = n1;
        this.babies = babies.clone();
        this.giants = giants.clone();
        this.horner = horner;
        // bounds every planner output obeys, so a hostile schedule cannot loop for ever or overflow:
        // babies in [0, n1), giant rotations |k·n1| and fold offsets |t·fold| within the slots
        for (int i = 0; i < this.babies.length; i++) {
            if (this.babies[i] < 0 || this.babies[i] >= n1 || (i > 0 && this.babies[i] <= this.babies[i - 1])) {
                throw new IllegalArgumentException("baby steps must increase within [0, n1 = " + n1 + ")");
            }
        }
        for (int i = 0; i < this.giants.length; i++) {
            if (Math.abs((long) this.giants[i] * n1) > slots || (i > 0 && this.giants[i] <= this.giants[i - 1])) {
                throw new IllegalArgumentException("giant indices must increase, each rotating by at most " + slots + " slots");
            }
        }
        if ((long) fold * foldCount > slots || Math.abs((long) foldStart * fold) > slots) {
            throw new IllegalArgumentException("the fold (" + foldCount + " blocks of " + fold + " from " + foldStart
                    + ") exceeds the " + slots + " slots");
        }
        if (entrySlots.length != this.giants.length || entryValues.length != this.giants.length) {
            throw new IllegalArgumentException("need entries for each of the " + this.giants.length + " giant steps");
        }
        this.entrySlots = new int[this.giants.length][this.babies.length][];
        this.entryValues = new double[this.giants.length][this.babies.length][];
        int count = 0;
        for (int g = 0; g < this.giants.length; g++) {
            if (entrySlots[g].length != this.babies.length || entryValues[g].length != this.babies.length) {
                throw new IllegalArgumentException("giant " + g + " needs entries for each of the " + this.babies.length + " baby steps");
            }
            for (int b = 0; b < this.babies.length; b++) {
                if ((entrySlots[g][b] == null) != (entryValues[g][b] == null)) {
                    throw new IllegalArgumentException("diagonal (" + g + ", " + b + ") has slots without values or values without slots");
                }
                if (entrySlots[g][b] == null) {
                    continue;
                }
                int[] s = entrySlots[g][b].clone();
                double[] v = entryValues[g][b].clone();
                if (s.length != v.length || s.length == 0) {
                    throw new IllegalArgumentException("diagonal (" + g + ", " + b + ") has " + s.length + " slots and " + v.length
                            + " values");
                }
                for (int i = 0; i < s.length; i++) {
                    if (s[i] < 0 || s[i] >= slots || !Double.isFinite(v[i])) {
                        throw new IllegalArgumentException("diagonal (" + g + ", " + b + ") has entry " + v[i] + " at slot " + s[i]);
                    }
                }
                this.entrySlots[g][b] = s;
                this.entryValues[g][b] = v;
                count++;
            }
        }
        this.diagonals = count;
    }

    /** The ciphertext's slots. */
    public int slots() {
        return slots;
    }

    /** The output block of the fold, or the slot count when there is no fold. */
    public int fold() {
        return fold;
    }

    /** The first fold offset (in blocks). */
    public int foldStart() {
        return foldStart;
    }

    /** The number of blocks summed by the fold (a power of two; 1 means no fold). */
    public int foldCount() {
        return foldCount;
    }

    /** The baby-step range. */
    public int n1() {
        return n1;
    }

    /** The baby rotations. */
    public int[] babies() {
        return babies.clone();
    }

    /** The giant indices (rotations by multiples of n1). */
    public int[] giants() {
        return giants.clone();
    }

    /** Whether the giant steps run in Horner form. */
    public boolean horner() {
        return horner;
    }

    /** The number of non-zero diagonals (plaintext products). */
    public int diagonals() {
        return diagonals;
    }

    /** Whether giant group gi has a diagonal for baby bi. */
    public boolean hasDiagonal(int gi, int bi) {
        return entrySlots[gi][bi] != null;
    }

    /** The slots of the non-zero entries of diagonal (gi, bi), or null if it has none. */
    public int[] entrySlots(int gi, int bi) {
        return entrySlots[gi][bi] == null ? null : entrySlots[gi][bi].clone();
    }

    /** The values of the non-zero entries of diagonal (gi, bi), or null if it has none. */
    public double[] entryValues(int gi, int bi) {
        return entryValues[gi][bi] == null ? null : entryValues[gi][bi].clone();
    }

    /** The pre-rotated plaintext vector of (giant gi, baby bi). */
    public double[] diagonal(int gi, int bi) {
        double[] v = new double[slots];
        int[] s = Objects.requireNonNull(entrySlots[gi][bi], "no diagonal");
        double[] x = entryValues[gi][bi];
        for (int i = 0; i < s.length; i++) {
            v[s[i]] += x[i];
        }
        return v;
    }

    /** Baby rotations that need a key switch (hoisted). */
    public int hoistedRotations() {
        int n = 0;
        for (int b : babies) {
            n += b != 0 ? 1 : 0;
        }
        return n;
    }

    /** Baby rotations (step 0 not counted) that have their own key among {@code keys}: those hoisting can share. */
    public int keyedRotations(RotationKeys keys) {
        int n = 0;
        for (int b : babies) {
            n += b != 0 && keys.has(b) ? 1 : 0;
        }
        return n;
    }

    /**
     * Whether the keyed baby rotations ({@link #keyedRotations}) are better summed per giant group
     * over Q·P with one ModDown per group than ended one by one: when there are fewer groups than
     * such rotations.
     */
    public boolean sumsBeforeModDown(RotationKeys keys) {
        return sumsBeforeModDown(keyedRotations(keys));
    }

    private boolean sumsBeforeModDown(int keyedRotations) {
        return giants.length < keyedRotations;
    }

    /**
     * ModDowns (each of a two-part result) when every baby step has its own key: one per baby
     * rotation or, when {@link #sumsBeforeModDown(RotationKeys)} says so, one per giant group, then one per giant
     * and fold rotation.
     */
    public int modDowns() {
        int babies = hoistedRotations();
        return (sumsBeforeModDown(babies) ? giants.length : babies) + giantRotations() + foldRotations();
    }

    /** Giant-step rotations. */
    public int giantRotations() {
        if (giants.length == 0) {
            return 0;
        }
        if (horner) {
            int kMin = giants[0];
            return giants[giants.length - 1] - kMin + (kMin != 0 ? 1 : 0);
        }
        int n = 0;
        for (int k : giants) {
            n += k != 0 ? 1 : 0;
        }
        return n;
    }

    /** Fold rotations. */
    public int foldRotations() {
        if (foldCount == 1 && fold == slots) {
            return 0;
        }
        return Integer.numberOfTrailingZeros(foldCount) + (foldStart != 0 ? 1 : 0);
    }

    /** All rotations (key switches) of one evaluation. */
    public int rotations() {
        return hoistedRotations() + giantRotations() + foldRotations();
    }

    /** The rotation steps this schedule needs keys for (normalized, see {@link RotationKeys#normalize}). */
    public Set<Integer> steps() {
        return new TreeSet<>(stepUses().keySet());
    }

    /** How many times each rotation step is applied in one evaluation. */
    public Map<Integer, Integer> stepUses() {
        Map<Integer, Integer> u = new TreeMap<>();
        IntConsumer use = st -> {
            if (Math.floorMod(st, slots) != 0) {
                u.merge(RotationKeys.normalize(st, slots), 1, Integer::sum);
            }
        };
        for (int b : babies) {
            use.accept(b);
        }
        if (giants.length > 0) {
            if (horner) {
                for (int k = giants[0]; k < giants[giants.length - 1]; k++) {
                    use.accept(n1);
                }
                use.accept(giants[0] * n1);
            } else {
                for (int k : giants) {
                    use.accept(k * n1);
                }
            }
        }
        if (foldRotations() > 0) {
            use.accept(foldStart * fold);
            for (int c = 1; c < foldCount; c <<= 1) {
                use.accept(c * fold);
            }
        }
        return u;
    }

    @Override
    public String toString() {
        return String.format("%d diagonals, n1=%d, %d babies, %d giants%s%s", diagonals, n1, babies.length, giants.length,
                horner ? " (Horner)" : "", fold < slots ? ", fold " + fold + "×" + foldCount : "");
    }
}
