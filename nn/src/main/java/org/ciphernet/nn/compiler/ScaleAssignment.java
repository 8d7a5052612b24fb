package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Levels and scales: turns the scheduled nodes the output depends on into {@link Step}s, each with
 * the level its products happen at, its output level ({@code top − depth}) and its output scale.
 * Every product rescales by the prime of its level: a linear map's output is at the default scale
 * (its weights are encoded at {@code Δ·q_level / scale_in}), a square's at {@code scale_in² / q_level}.
 * An addition needs equal scales; when they differ, a linear operand read only by the addition is
 * retargeted to the other's scale (through its weight scale), and otherwise the addition is
 * reported so that the {@link Scheduler} aligns it on the next attempt.
 */
final class ScaleAssignment {
    /** Scales closer than this (relative) count as equal. */
    private static final double SCALE_TOLERANCE = 0x1p-41;

    private ScaleAssignment() {
    }

    /**
     * The steps with levels and scales, or the label of an addition whose scales cannot be
     * reconciled (then {@code steps} is null).
     */
    record Result(List<Step> steps, String mismatch) {
    }

    /**
     * Assigns levels and scales.
     *
     * @param nodes the scheduled nodes, in order
     * @param output the output node
     * @param maxLevel the top level (inputs are encrypted there)
     * @param defaultScale Δ, the scale of inputs and of linear outputs
     * @param qPrimes the primes of Q by level
     */
    static Result assign(List<IrNode> nodes, IrNode output, int maxLevel, double defaultScale, List<Long> qPrimes) {
        Set<IrNode> needed = Collections.newSetFromMap(new IdentityHashMap<>());
        collect(output, needed);
        Map<IrNode, Step> stepOf = new IdentityHashMap<>();
        Map<IrNode, Integer> uses = Fusion.uses(nodes);
        List<Step> steps = new ArrayList<>();
        for (IrNode n : nodes) {
            if (!needed.contains(n)) {
                continue;
            }
            int[] in = new int[n.inputs.size()];
            for (int i = 0; i < in.length; i++) {
                in[i] = stepOf.get(n.inputs.get(i)).index;
            }
            Step s = new Step(steps.size(), n, in);
            s.levelOut = maxLevel - n.depth;
            switch (n.kind) {
                case INPUT -> {
                    s.evalLevel = maxLevel;
                    s.scaleOut = defaultScale;
                }
                case LINEAR -> {
                    Step x = steps.get(in[0]);
                    if (n.plainAdd) {
                        s.evalLevel = x.levelOut;
                        s.scaleOut = x.scaleOut;
                    } else {
                        s.evalLevel = s.levelOut + 1;
                        s.scaleOut = defaultScale;
                    }
                }
                case SQUARE -> {
                    Step x = steps.get(in[0]);
                    s.evalLevel = x.levelOut;
                    s.scaleOut = x.scaleOut * x.scaleOut / qPrimes.get(x.levelOut);
                }
                case ADD -> {
                    Step a = steps.get(in[0]);
                    Step b = steps.get(in[1]);
                    s.evalLevel = s.levelOut;
                    if (Math.abs(a.scaleOut - b.scaleOut) > SCALE_TOLERANCE * a.scaleOut) {
                        if (retargetable(b, uses)) {
                            b.scaleOut = a.scaleOut;
                        } else if (retargetable(a, uses)) {
                            a.scaleOut = b.scaleOut;
                        } else {
                            return new Result(null, n.label);
                        }
                    }
                    s.scaleOut = a.scaleOut;
                }
            }
            stepOf.put(n, s);
            steps.add(s);
        }
        if (steps.get(steps.size() - 1).node != output) {
            throw new IllegalStateException("output is not the last step");
        }
        for (Step s : steps) {
            if (s.isLinearProduct()) {
                Step x = steps.get(s.inputs[0]);
                s.weightScale = s.scaleOut * qPrimes.get(s.evalLevel) / x.scaleOut;
            }
        }
        return new Result(steps, null);
    }

    private static boolean retargetable(Step s, Map<IrNode, Integer> uses) {
        return s.isLinearProduct() && uses.get(s.node) == 1;
    }

    private static void collect(IrNode n, Set<IrNode> seen) {
        if (seen.add(n)) {
            for (IrNode in : n.inputs) {
                collect(in, seen);
            }
        }
    }
}
