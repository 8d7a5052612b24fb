package org.ciphernet.nn.compiler;

import java.util.Locale;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.ciphernet.nn.plan.Operation;

/**
 * The compiler's working copy of one plan step: an IR node with the levels and scales the passes
 * give it. Filled in pass by pass ({@link ScaleAssignment}: levels and scales;
 * {@link RescaleDeferral}: the square form; {@link DiagonalPlanning}: the schedule) and turned into
 * an immutable {@link org.ciphernet.nn.plan.PlanStep} by {@link Emission}.
 */
final class Step {
    final int index;
    final IrNode node;
    final int[] inputs;
    /** The level at which the operation's products happen (its input is dropped to it). */
    int evalLevel;
    int levelOut;
    double scaleOut;
    /** For linear products: the scale the weights are encoded at, so the rescaled output has scaleOut. */
    double weightScale;
    /** For squares: in which order the runtime relinearizes and rescales. */
    Operation.Square.Form form;
    /** For batched weighted sums: whether the input is a square left unrescaled ({@link Operation.Square.Form#UNRESCALED}). */
    boolean unrescaledInputs;
    /** Single-image linear products: the diagonal schedule. */
    DiagonalSchedule schedule;

    Step(int index, IrNode node, int[] inputs) {
        this.index = index;
        this.node = node;
        this.inputs = inputs;
    }

    /** The kind's short name, as {@link Operation#kind()} names it. */
    String kind() {
        if (node.kind == IrNode.Kind.LINEAR) {
            return node.align ? "align" : node.plainAdd ? (node.negate ? "negate" : "add-plain") : "linear";
        }
        return node.kind.name().toLowerCase(Locale.ROOT);
    }

    /** Whether the step is a plaintext product that consumes a level (a linear map or an align). */
    boolean isLinearProduct() {
        return node.kind == IrNode.Kind.LINEAR && !node.plainAdd;
    }

    /** Whether the step is a weighted sum / diagonal product (not an align, not a bias). */
    boolean isMatrixProduct() {
        return isLinearProduct() && !node.align;
    }
}
