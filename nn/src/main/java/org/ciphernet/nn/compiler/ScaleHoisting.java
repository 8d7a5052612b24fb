package org.ciphernet.nn.compiler;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Scale hoisting, a rewrite {@link Fusion} applies until nothing changes: an element-wise scaling
 * (a linear node whose matrix is diagonal, such as the {@code a} of a quadratic activation
 * {@code a·(x + s)² + r}) that no linear consumer can absorb would cost a level of its own. It is
 * moved backwards instead, to where a linear map absorbs it:
 * <ul>
 *   <li>through a square read by nothing else, as its square root:
 *       {@code D·y² + r = ±(√|D|·y)² + r} for a diagonal D whose entries share the sign ±. The
 *       scaling becomes a diagonal before the square (which fusion composes into the map that
 *       produced y) and the node keeps only the sign and its bias: a plaintext addition, after an
 *       exact negation when the sign is −, at no level;</li>
 *   <li>through an addition read by nothing else, onto both operands:
 *       {@code D·(u + v) + r = (D·u + r) + D·v}. An operand that is a linear map read only by the
 *       addition absorbs its copy by fusion; the other copy is a linear node read only by the
 *       addition, which the {@link Scheduler} evaluates on that operand's spare levels (as an
 *       alignment would have been).</li>
 * </ul>
 * This is why a residual or shared-source skip costs no level: the activation after the addition
 * (or before it) no longer needs a scaling step between the addition and the next convolution.
 *
 * <p>Neither rewrite deepens the graph: a scaling moved onto an addition's operands adds at most
 * the one level it had on its own, and one moved through a square lands on a linear node. A
 * scaling whose entries have mixed signs stays where it is (a per-slot sign is a plaintext
 * product, one level, like the scaling itself). Nodes
 * whose value changes (the square, the addition) lose their tap, since they no longer equal a
 * layer's output.
 */
final class ScaleHoisting {
    private ScaleHoisting() {
    }

    /**
     * Applies one rewrite if any applies.
     *
     * @param nodes the nodes in topological order, rewritten in place
     * @param output the output node
     * @param uses how many nodes read each node ({@link Fusion#uses})
     * @return the output node after the rewrite (the addition when the output was the moved
     *     scaling), or null when nothing applied
     */
    static IrNode hoistOnce(List<IrNode> nodes, IrNode output, Map<IrNode, Integer> uses) {
        for (IrNode l : List.copyOf(nodes)) {
            if (l.kind != IrNode.Kind.LINEAR || l.align || l.plainAdd || l.matrix.isIdentity() || l.matrix.isIdentity(-1.0)
                    || absorbedByConsumer(l, nodes, uses)) {
                continue;
            }
            double[] d = l.matrix.diagonalValues();
            IrNode in = l.inputs.get(0);
            if (d == null || uses.get(in) != 1 || in == output) {
                continue;
            }
            if (in.kind == IrNode.Kind.SQUARE && sameSign(d) != 0) {
                throughSquare(nodes, l, in, d, sameSign(d));
                return output;
            }
            if (in.kind == IrNode.Kind.ADD) {
                return throughAddition(nodes, l, in, output);
            }
        }
        return null;
    }

    /** Whether fusion composes {@code l} into its consumer: it has exactly one, a linear map. */
    private static boolean absorbedByConsumer(IrNode l, List<IrNode> nodes, Map<IrNode, Integer> uses) {
        if (uses.get(l) != 1) {
            return false;
        }
        for (IrNode n : nodes) {
            if (n.inputs.contains(l)) {
                return n.kind == IrNode.Kind.LINEAR && !n.align;
            }
        }
        return false;
    }

    /** 1 if no entry is negative, −1 if none is positive, 0 for mixed signs (or a NaN). */
    private static int sameSign(double[] d) {
        boolean neg = false;
        boolean pos = false;
        for (double x : d) {
            if (Double.isNaN(x)) {
                return 0;
            }
            neg |= x < 0;
            pos |= x > 0;
        }
        return neg && pos ? 0 : neg ? -1 : 1;
    }

    /** {@code D·y² + r} becomes {@code ±(√|D|·y)² + r}, the sign being that of every entry of D. */
    private static void throughSquare(List<IrNode> nodes, IrNode l, IrNode square, double[] d, int sign) {
        double[] root = new double[d.length];
        for (int i = 0; i < d.length; i++) {
            root[i] = Math.sqrt(Math.abs(d[i]));
        }
        IrNode y = square.inputs.get(0);
        IrNode pre = IrNode.linear(y, SparseMatrix.diagonal(root), new double[d.length], l.label);
        nodes.add(nodes.indexOf(square), pre);
        square.inputs.set(0, pre);
        square.tap = null;
        l.matrix = sign > 0 ? SparseMatrix.identity(d.length) : SparseMatrix.diagonal(filled(d.length, -1.0));
    }

    private static double[] filled(int n, double v) {
        double[] a = new double[n];
        Arrays.fill(a, v);
        return a;
    }

    /** {@code D·(u + v) + r} becomes {@code (D·u + r) + D·v}; the addition takes the scaling's place. */
    private static IrNode throughAddition(List<IrNode> nodes, IrNode l, IrNode add, IrNode output) {
        IrNode u = add.inputs.get(0);
        IrNode v = add.inputs.get(1);
        IrNode lu = IrNode.linear(u, l.matrix, l.bias, l.label);
        IrNode lv = IrNode.linear(v, l.matrix, new double[l.size], l.label + ".skip");
        int at = nodes.indexOf(add);
        nodes.add(at, lv);
        nodes.add(at, lu);
        add.inputs.set(0, lu);
        add.inputs.set(1, lv);
        for (IrNode n : nodes) {
            n.inputs.replaceAll(x -> x == l ? add : x);
        }
        add.tap = l.tap;
        add.slots = l.slots;
        add.layoutName = l.layoutName;
        nodes.remove(l);
        return l == output ? add : output;
    }
}
