package org.ciphernet.nn.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The rotation steps a plan has keys for, the highest level each key is used at (keys are made
 * for those levels only), and how any other step is composed from them: by its non-adjacent form
 * over the ±powers of two, which are always in a reduced key set. Immutable.
 */
public final class RotationKeys {
    private final int slots;
    private final Map<Integer, Integer> levels;

    /**
     * Keys for the given steps, each used up to the given level.
     *
     * @param slots the ciphertexts' slots (a power of two)
     * @param levels per rotation step, the highest level its key is used at (−1 if unknown)
     */
    public RotationKeys(int slots, Map<Integer, Integer> levels) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, got " + slots);
        }
        this.slots = slots;
        Map<Integer, Integer> m = new TreeMap<>();
        levels.forEach((step, level) -> {
            int s = normalize(step, slots);
            if (s == 0) {
                throw new IllegalArgumentException("a rotation by " + step + " is the identity and needs no key");
            }
            m.merge(s, level, Math::max);
        });
        this.levels = Collections.unmodifiableMap(m);
    }

    /** Keys for the given steps with unknown levels. */
    public static RotationKeys of(int slots, Set<Integer> steps) {
        Map<Integer, Integer> m = new TreeMap<>();
        for (int s : steps) {
            m.put(s, -1);
        }
        return new RotationKeys(slots, m);
    }

    /**
     * The keys these rotations use, each at the highest level it is used at: {@code stepsByLevel}
     * lists, per level, the rotation steps applied at that level; each is composed from this key set.
     */
    public RotationKeys withLevels(Map<Integer, Set<Integer>> stepsByLevel) {
        Map<Integer, Integer> need = new TreeMap<>();
        stepsByLevel.forEach((level, sts) -> {
            for (int st : sts) {
                for (int k : compose(st)) {
                    need.merge(k, level, Math::max);
                }
            }
        });
        return new RotationKeys(slots, need);
    }

    /** A rotation step as the evaluator normalizes it: into (−slots/2, slots/2]. */
    public static int normalize(int step, int slots) {
        int k = Math.floorMod(step, slots);
        return k > slots / 2 ? k - slots : k;
    }

    /** ±2^k for every k below log2(slots). */
    public static Set<Integer> powersOfTwo(int slots) {
        Set<Integer> s = new TreeSet<>();
        for (int p = 1; p < slots; p <<= 1) {
            s.add(normalize(p, slots));
            s.add(normalize(-p, slots));
        }
        return s;
    }

    /** The slots of the ciphertexts. */
    public int slots() {
        return slots;
    }

    /** The steps keys exist for, increasing. */
    public Set<Integer> steps() {
        return levels.keySet();
    }

    /** The highest level the key for a step is used at (−1 if unknown or no key). */
    public int level(int step) {
        return levels.getOrDefault(normalize(step, slots), -1);
    }

    /** Whether a key exists for the step. */
    public boolean has(int step) {
        return levels.containsKey(normalize(step, slots));
    }

    /**
     * Steps with keys whose rotations compose to {@code step} (empty for the identity).
     *
     * @throws IllegalStateException if a step of the composition has no key
     */
    public List<Integer> compose(int step) {
        int s = normalize(step, slots);
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
                out.add(normalize(d << bit, slots));
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
    public int cost(int step) {
        return compose(step).size();
    }

    @Override
    public String toString() {
        return "RotationKeys" + levels;
    }
}
