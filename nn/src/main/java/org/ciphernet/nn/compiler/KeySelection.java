package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.ciphernet.ckks.CkksParameters;
import org.ciphernet.nn.plan.RotationKeys;

/**
 * Key selection: which rotation steps get a Galois key, each made only for the levels it is used
 * at. The exact step set of the diagonal schedules if its keys fit the budget; otherwise the
 * ±powers of two (from which any rotation composes) plus the most valuable other steps that still
 * fit, valued by the key switches a dedicated key saves.
 */
final class KeySelection {
    private KeySelection() {
    }

    /** Per level, the rotation steps the schedules apply at that level. */
    static Map<Integer, Set<Integer>> stepsByLevel(List<Step> steps) {
        Map<Integer, Set<Integer>> byLevel = new TreeMap<>();
        for (Step s : steps) {
            if (s.schedule != null) {
                byLevel.computeIfAbsent(s.evalLevel, l -> new TreeSet<>()).addAll(s.schedule.steps());
            }
        }
        return byLevel;
    }

    /** Every rotation step the schedules apply. */
    static Set<Integer> exactSteps(List<Step> steps) {
        Set<Integer> exact = new TreeSet<>();
        stepsByLevel(steps).values().forEach(exact::addAll);
        return exact;
    }

    /** The keys of a plan whose schedules are set, within {@code budget} bytes of Galois keys if the exact set does not fit. */
    static RotationKeys choose(List<Step> steps, CkksParameters params, long budget) {
        int slots = params.slots();
        Map<Integer, Set<Integer>> byLevel = stepsByLevel(steps);
        RotationKeys all = RotationKeys.of(slots, exactSteps(steps)).withLevels(byLevel);
        if (keyBytes(all, params) <= budget) {
            return all;
        }
        Set<Integer> chosen = new TreeSet<>(RotationKeys.powersOfTwo(slots));
        Map<Integer, Integer> uses = new HashMap<>();
        Map<Integer, Integer> topLevel = new HashMap<>();
        for (Step s : steps) {
            if (s.schedule != null) {
                s.schedule.stepUses().forEach((k, v) -> {
                    uses.merge(k, v, Integer::sum);
                    topLevel.merge(k, s.evalLevel, Math::max);
                });
            }
        }
        RotationKeys base = RotationKeys.of(slots, chosen);
        long used = keyBytes(base.withLevels(byLevel), params);
        List<Integer> byValue = new ArrayList<>(uses.keySet());
        // value of a dedicated key: key switches it saves
        byValue.sort((a, b) -> Integer.compare(uses.get(b) * (base.cost(b) - 1), uses.get(a) * (base.cost(a) - 1)));
        for (int st : byValue) {
            long extra = params.switchingKeyBytes(topLevel.get(st));
            if (base.cost(st) > 1 && used + extra <= budget) {
                chosen.add(st);
                used += extra;
            }
        }
        return RotationKeys.of(slots, chosen).withLevels(byLevel);
    }

    /** Memory of the Galois keys, each made for levels up to the one it is used at. */
    static long keyBytes(RotationKeys keys, CkksParameters params) {
        long b = 0;
        for (int st : keys.steps()) {
            b += params.switchingKeyBytes(keys.level(st));
        }
        return b;
    }
}
