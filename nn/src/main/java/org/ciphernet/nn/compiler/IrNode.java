package org.ciphernet.nn.compiler;

import java.util.ArrayList;
import java.util.List;

/**
 * A node of the compiler's intermediate graph, after the model's layers are lowered to four
 * operations on flat vectors: the encrypted input, a linear map {@code M·x + b}, an element-wise
 * square, and an addition. Mutable while the compiler rewrites it.
 */
final class IrNode {
    /** The operation. */
    enum Kind {
        /** The encrypted input vector (after the client's gather). */
        INPUT,
        /** {@code matrix · x + bias}: one level, or none when the matrix is ±identity ({@link #plainAdd}). */
        LINEAR,
        /** {@code x²}, element-wise: one level. */
        SQUARE,
        /** {@code a + b}. */
        ADD
    }

    final Kind kind;
    final List<IrNode> inputs = new ArrayList<>();
    int size;
    SparseMatrix matrix;
    double[] bias;
    /** Names of the model layers this node implements, joined with '+' when fused. */
    String label;
    /** The model node whose output this node's output equals, or null. */
    String tap;
    /** With a tap: the slot holding each element of the tapped tensor (its layout). */
    int[] slots;
    /** With a tap: a short description of that layout, for reports. */
    String layoutName;
    /** An identity map inserted to align levels and scales before an addition (never fused). */
    boolean align;
    /** A LINEAR node whose matrix is ±identity: only its sign and bias are applied, at no level. */
    boolean plainAdd;
    /** With {@link #plainAdd}: the matrix is −identity, so the input is negated (exactly) before the bias. */
    boolean negate;
    /** Levels consumed from the input to this node's output. */
    int depth;

    IrNode(Kind kind, int size, String label) {
        this.kind = kind;
        this.size = size;
        this.label = label;
    }

    static IrNode linear(IrNode in, SparseMatrix m, double[] bias, String label) {
        if (m.cols() != in.size || bias.length != m.rows()) {
            throw new IllegalArgumentException("linear node " + label + ": " + m.rows() + "×" + m.cols() + " on "
                    + in.size + " values with " + bias.length + " biases");
        }
        IrNode n = new IrNode(Kind.LINEAR, m.rows(), label);
        n.inputs.add(in);
        n.matrix = m;
        n.bias = bias;
        return n;
    }

    static IrNode square(IrNode in, String label) {
        IrNode n = new IrNode(Kind.SQUARE, in.size, label);
        n.inputs.add(in);
        return n;
    }

    static IrNode add(IrNode a, IrNode b, String label) {
        if (a.size != b.size) {
            throw new IllegalArgumentException("add node " + label + " of sizes " + a.size + " and " + b.size);
        }
        IrNode n = new IrNode(Kind.ADD, a.size, label);
        n.inputs.add(a);
        n.inputs.add(b);
        return n;
    }

    /** Whether the node consumes a level. */
    boolean usesLevel() {
        return kind == Kind.SQUARE || (kind == Kind.LINEAR && !plainAdd);
    }

    boolean hasBias() {
        if (bias == null) {
            return false;
        }
        for (double b : bias) {
            if (b != 0) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return kind + "(" + label + ", " + size + ")";
    }
}
