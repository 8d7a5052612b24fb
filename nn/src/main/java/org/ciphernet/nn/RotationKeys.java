package org.ciphernet.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ciphernet.nn.internal.DiagonalPlan;

/**
 * The rotation steps keys exist for, the highest level each key is used at (keys are generated
 * for those levels only), and how any other step is composed from them: by its non-adjacent form
 * over the ±powers of two, which are always in a reduced key set.
 */
final class RotationKeys {
    private final int slots;
    private final Set<Integer> steps;
    private final Map<Integer, Integer> levels = new TreeMap<>();

    RotationKeys(int slots, Set<Integer> steps) {
        this.slots = slots;
        this.steps = new TreeSet<>();
        for (int s : steps) {
            this.steps.add(DiagonalPlan.normalize(s, slots));
        }
    }

    /**
     * The same key set restricted to the keys these rotations use, each at the highest level it
     * is used at ({@code stepsByLevel}: per level, the rotation steps applied at that level).
     */
    RotationKeys withLevels(Map<Integer, Set<Integer>> stepsByLevel) {
        Map<Integer, Integer> need = new TreeMap<>();
        stepsByLevel.forEach((level, sts) -> {
            for (int st : sts) {
                for (int k : compose(st)) {
                    need.merge(k, level, Math::max);
                }
            }
        });
        RotationKeys r = new RotationKeys(slots, need.keySet());
        r.levels.putAll(need);
        return r;
    }

    /** The highest level the key for a step is used at (−1 if unknown). */
    int level(int step) {
        return levels.getOrDefault(DiagonalPlan.normalize(step, slots), -1);
    }

    /** ±2^k for every k below log2(slots). */
    static Set<Integer> powersOfTwo(int slots) {
        Set<Integer> s = new TreeSet<>();
        for (int p = 1; p < slots; p <<= 1) {
            s.add(DiagonalPlan.normalize(p, slots));
            s.add(DiagonalPlan.normalize(-p, slots));
        }
        return s;
    }

    Set<Integer> steps() {
        return steps;
    }

    boolean has(int step) {
        return steps.contains(DiagonalPlan.normalize(step, slots));
    }

    /** Steps with keys whose rotations compose to {@code step}. */
    List<Integer> compose(int step) {
        int s = DiagonalPlan.normalize(step, slots);
        List<Integer> out = new ArrayList<>();
        if (s == 0) {
            return out;
        }
        if (has(s)) {
            out.add(s);
            return out;
        }
        // non-adjacent form: digits in {−1, 0, 1}, no two adjacent non-zero
        long v = s;
        int bit = 0;
        while (v != 0) {
            if ((v & 1) != 0) {
                int d = (int) (2 - Math.floorMod(v, 4)); // +1 or −1
                out.add(DiagonalPlan.normalize(d << bit, slots));
                v -= d;
            }
            v >>= 1;
            bit++;
        }
        for (int x : out) {
            if (!has(x)) {
                throw new IllegalStateException("no key for step " + x + " while composing " + step);
            }
        }
        return out;
    }

    /** Key switches needed for one rotation by {@code step}. */
    int cost(int step) {
        return compose(step).size();
    }
}
