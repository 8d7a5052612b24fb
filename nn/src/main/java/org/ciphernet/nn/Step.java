package org.ciphernet.nn;

import org.ciphernet.nn.internal.DiagonalPlan;
import org.ciphernet.nn.internal.IrNode;

/** One operation of a compiled plan, with its levels and scales fixed (package-private). */
final class Step {
    final int index;
    final IrNode node;
    final int[] inputs;
    /** The level at which the operation's products happen (its input is dropped to it). */
    int evalLevel;
    int levelOut;
    double scaleOut;
    /** For linear steps: the scale the weights are encoded at, so the rescaled output has scaleOut. */
    double weightScale;
    /** Single-image linear steps: the diagonal plan. */
    DiagonalPlan diagonals;

    Step(int index, IrNode node, int[] inputs) {
        this.index = index;
        this.node = node;
        this.inputs = inputs;
    }

    String kind() {
        if (node.kind == IrNode.Kind.LINEAR) {
            return node.align ? "align" : node.plainAdd ? "add-plain" : "linear";
        }
        return node.kind.name().toLowerCase(java.util.Locale.ROOT);
    }

    boolean isLinearProduct() {
        return node.kind == IrNode.Kind.LINEAR && !node.plainAdd;
    }
}
