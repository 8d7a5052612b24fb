package org.ciphernet.nn.plan;

import java.util.Arrays;

/**
 * What a diagonal's plaintext depends on, so that equal diagonals share one: the level it is
 * encoded at, the weight scale, whether it is extended (also modulo P's primes, for a sum of
 * hoisted rotations) and its content, the non-zero entries of the (giant, baby) diagonal
 * ({@link DiagonalSchedule#entrySlots}, {@link DiagonalSchedule#entryValues}) in a plan of a given
 * slot count. Within one plan (one slot count and image stride) equal keys expand to the same slot
 * vector, hence encode to the same plaintext, bit for bit. The hash covers every value; equality
 * compares the contents ({@link Arrays#equals(double[], double[])}, by bits), so a hash collision
 * never shares a plaintext. (Two schedules could list the same vector's entries differently, say
 * in another order: those are counted apart, never merged wrongly.)
 */
public final class DiagonalKey {
    private final int level;
    private final long scaleBits;
    private final boolean extended;
    private final int[] slots;
    private final double[] values;
    private final int hash;

    /**
     * The key of diagonal (gi, bi) of a diagonal product run at {@code level}.
     *
     * @throws NullPointerException if the schedule has no such diagonal
     */
    public DiagonalKey(int level, Operation.DiagonalProduct op, int gi, int bi, boolean extended) {
        this.level = level;
        this.scaleBits = Double.doubleToLongBits(op.weightScale());
        this.extended = extended;
        this.slots = java.util.Objects.requireNonNull(op.schedule().entrySlots(gi, bi), "no diagonal");
        this.values = op.schedule().entryValues(gi, bi);
        int h = Integer.hashCode(level);
        h = 31 * h + Long.hashCode(scaleBits);
        h = 31 * h + Boolean.hashCode(extended);
        h = 31 * h + Arrays.hashCode(slots);
        this.hash = 31 * h + Arrays.hashCode(values);
    }

    /** One diagonal of a plan's program with its key (see {@link #forEach}). */
    @FunctionalInterface
    public interface Visitor {
        /** Diagonal (gi, bi) of {@code op}, step {@code step}'s diagonal product. */
        void diagonal(PlanStep step, Operation.DiagonalProduct op, int gi, int bi, DiagonalKey key);
    }

    /**
     * Visits every diagonal of every diagonal product of a program, in program order, with the
     * key of the plaintext the runtime encodes for it ({@code keys}: the plan's rotation keys).
     */
    public static void forEach(java.util.List<PlanStep> steps, RotationKeys keys, Visitor visitor) {
        for (PlanStep s : steps) {
            if (s.operation() instanceof Operation.DiagonalProduct d) {
                DiagonalSchedule p = d.schedule();
                for (int gi = 0; gi < p.giants().length; gi++) {
                    for (int bi = 0; bi < p.babies().length; bi++) {
                        if (p.hasDiagonal(gi, bi)) {
                            visitor.diagonal(s, d, gi, bi, new DiagonalKey(s.levelIn(), d, gi, bi, extended(p, bi, keys)));
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether the runtime encodes diagonal {@code bi}'s plaintexts extended: when it weighs a keyed
     * rotation that is summed over Q·P before its ModDown.
     */
    public static boolean extended(DiagonalSchedule p, int bi, RotationKeys keys) {
        int baby = p.babies()[bi];
        return baby != 0 && keys.has(baby) && p.sumsBeforeModDown(keys);
    }

    /** The level the plaintext is encoded at. */
    public int level() {
        return level;
    }

    /** Whether the plaintext also holds residues modulo P's primes. */
    public boolean extended() {
        return extended;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DiagonalKey k && hash == k.hash && level == k.level && scaleBits == k.scaleBits
                && extended == k.extended && Arrays.equals(slots, k.slots) && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
