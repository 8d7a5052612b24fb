package org.ciphernet.nn.compiler;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Node fusing: a linear node whose input is another linear node read by nothing else becomes
 * their product (batch-norm into convolutions, quadratic shifts into the previous layer and their
 * factors into the next, pooling and flattening into the following dense layer), so each run of
 * linear layers costs one level. When no composition is left, {@link ScaleHoisting} moves an
 * element-wise scaling that nothing can absorb backwards (through a square or an addition), and
 * composition resumes. Identity nodes vanish; identity-plus-bias nodes become a free plaintext
 * addition, and negated identities (plus bias) a free negation.
 */
final class Fusion {
    /** Composition is skipped when the product has more non-zeros than this factor times the parts… */
    private static final int MAX_GROWTH = 4;
    /** …and more than this many (products below it are always taken). */
    private static final long ALWAYS_FUSE = 1L << 22;

    private Fusion() {
    }

    /** Rewrites the nodes in place and returns the (possibly new) output node. */
    static IrNode fuse(List<IrNode> nodes, IrNode output) {
        boolean changed = true;
        while (changed) {
            changed = false;
            Map<IrNode, Integer> uses = uses(nodes);
            for (IrNode l : List.copyOf(nodes)) {
                if (l.kind != IrNode.Kind.LINEAR || l.align) {
                    continue;
                }
                IrNode p = l.inputs.get(0);
                if (p.kind != IrNode.Kind.LINEAR || p.align || uses.get(p) != 1 || p == output) {
                    continue;
                }
                SparseMatrix m = l.matrix.compose(p.matrix);
                if (m.nonZeros() > Math.max(ALWAYS_FUSE, MAX_GROWTH * ((long) l.matrix.nonZeros() + p.matrix.nonZeros()))) {
                    continue;
                }
                double[] b = l.matrix.multiply(p.bias);
                for (int i = 0; i < b.length; i++) {
                    b[i] += l.bias[i];
                }
                l.matrix = m;
                l.bias = b;
                l.inputs.set(0, p.inputs.get(0));
                l.label = p.label + "+" + l.label;
                nodes.remove(p);
                changed = true;
                break;
            }
            if (!changed) {
                IrNode hoisted = ScaleHoisting.hoistOnce(nodes, output, uses);
                if (hoisted != null) {
                    output = hoisted;
                    changed = true;
                }
            }
        }
        // identities disappear; identity + bias is a free plaintext addition, −identity (+ bias) a
        // free negation
        for (IrNode l : List.copyOf(nodes)) {
            if (l.kind != IrNode.Kind.LINEAR || l.align) {
                continue;
            }
            if (l.matrix.isIdentity(-1.0)) {
                l.plainAdd = true;
                l.negate = true;
                continue;
            }
            if (!l.matrix.isIdentity()) {
                continue;
            }
            if (l.hasBias()) {
                l.plainAdd = true;
                continue;
            }
            IrNode in = l.inputs.get(0);
            for (IrNode n : nodes) {
                n.inputs.replaceAll(x -> x == l ? in : x);
            }
            if (in.tap == null) {
                in.tap = l.tap;
                in.slots = l.slots;
                in.layoutName = l.layoutName;
            }
            nodes.remove(l);
            if (l == output) {
                output = in;
            }
        }
        return output;
    }

    /** How many nodes read each node. */
    static Map<IrNode, Integer> uses(List<IrNode> nodes) {
        Map<IrNode, Integer> uses = new IdentityHashMap<>();
        for (IrNode n : nodes) {
            uses.putIfAbsent(n, 0);
            for (IrNode in : n.inputs) {
                uses.merge(in, 1, Integer::sum);
            }
        }
        return uses;
    }
}
