package org.ciphernet.nn.compiler;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Level assignment: the depth (levels consumed since the input) of every node. An addition needs
 * both operands at one level; a shallower operand that is a linear node read only by the addition
 * is evaluated later, on its input dropped to the right level (at no extra cost); otherwise, as for
 * a shared source stored once and read by several stages, an identity "align" node is inserted on
 * that edge, which drops the stored tensor to the consumer's level and fixes its scale with one
 * plaintext-constant product.
 */
final class Scheduler {
    private Scheduler() {
    }

    /**
     * Assigns depths in place, inserting align nodes; {@code forcedAligns} names additions whose
     * second operand must be aligned even at equal depth (to reconcile scales).
     */
    static void schedule(List<IrNode> nodes, Set<String> forcedAligns) {
        for (int idx = 0; idx < nodes.size(); idx++) {
            IrNode n = nodes.get(idx);
            switch (n.kind) {
                case INPUT -> n.depth = 0;
                case LINEAR -> n.depth = n.inputs.get(0).depth + (n.plainAdd ? 0 : 1);
                case SQUARE -> n.depth = n.inputs.get(0).depth + 1;
                case ADD -> {
                    Map<IrNode, Integer> uses = Fusion.uses(nodes);
                    if (forcedAligns.contains(n.label)) {
                        IrNode b = n.inputs.get(1);
                        IrNode a = insertAlign(nodes, idx, b, Math.max(n.inputs.get(0).depth, b.depth + 1));
                        n.inputs.set(1, a);
                        idx++;
                    }
                    int m = Math.max(n.inputs.get(0).depth, n.inputs.get(1).depth);
                    for (int k = 0; k < 2; k++) {
                        IrNode x = n.inputs.get(k);
                        if (x.depth == m) {
                            continue;
                        }
                        if (x.kind == IrNode.Kind.LINEAR && !x.align && uses.get(x) == 1) {
                            x.plainAdd = false;
                            x.negate = false;
                            x.depth = m;
                        } else {
                            n.inputs.set(k, insertAlign(nodes, idx, x, m));
                            idx++;
                        }
                    }
                    n.depth = m;
                }
            }
        }
    }

    private static IrNode insertAlign(List<IrNode> nodes, int before, IrNode x, int depth) {
        IrNode a = IrNode.linear(x, SparseMatrix.identity(x.size), new double[x.size], x.label + ".align");
        a.align = true;
        a.depth = depth;
        nodes.add(before, a);
        return a;
    }

    /** The depth of the whole graph. */
    static int depth(List<IrNode> nodes) {
        int d = 0;
        for (IrNode n : nodes) {
            d = Math.max(d, n.depth);
        }
        return d;
    }
}
