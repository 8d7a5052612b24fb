package org.ciphernet.nn.compiler;

import org.ciphernet.nn.model.Shape;

/**
 * Where each value of a C×H×W tensor sits in the slots of a single-image ciphertext.
 *
 * <p>The flat layout puts element (c, y, x) at {@code (c·H + y)·W + x}. A strided convolution
 * from a flat layout to a flat layout moves every output row by a different amount, so its
 * matrix has thousands of diagonals. The <i>multiplexed</i> layout (Lee et al., "Low-complexity
 * deep convolutional neural networks on FHE using multiplexed parallel convolutions", 2022)
 * instead keeps a strided output on the grid of its input, with a gap: with gap g, the g² channels
 * of one group share one grid, channel c taking sub-position {@code (a, b) = ((c mod g²) / g,
 * c mod g)} of every g×g cell, so element (c, y, x) sits at
 * {@code ⌊c / g²⌋·gridH·gridW + (g·y + a)·gridW + (g·x + b)}. The slot distance from an input
 * element to an output element then depends only on the channels and the kernel tap, never on
 * the output position, and a stride-2 convolution keeps as few diagonals as a stride-1 one.
 *
 * <p>A layout with {@code gap == 0} is unstructured (a flattened vector): only {@link #slotOf}
 * is meaningful.
 *
 * @param slotOf the slot of each element, in the tensor's flat index order
 * @param span one more than the largest slot used: the length of the vector that holds the tensor
 * @param gap the multiplexing gap (1 for flat, 0 for unstructured)
 * @param gridH rows of the grid
 * @param gridW columns of the grid
 */
record Layout(int[] slotOf, int span, int gap, int gridH, int gridW) {
    /** The flat layout of a shape: the identity. */
    static Layout flat(Shape s) {
        return multiplexed(s, 1, s.height(), s.width());
    }

    /** The multiplexed layout of a shape with the given gap on a gridH × gridW grid. */
    static Layout multiplexed(Shape s, int gap, int gridH, int gridW) {
        if (gap < 1 || s.height() * gap > gridH || s.width() * gap > gridW) {
            throw new IllegalArgumentException("a " + s + " tensor with gap " + gap + " does not fit a " + gridH + "×" + gridW + " grid");
        }
        int perGrid = gap * gap;
        int cell = Math.multiplyExact(gridH, gridW);
        int[] slot = new int[s.size()];
        for (int c = 0; c < s.channels(); c++) {
            int base = (c / perGrid) * cell;
            int a = (c % perGrid) / gap;
            int b = c % gap;
            for (int y = 0; y < s.height(); y++) {
                for (int x = 0; x < s.width(); x++) {
                    slot[s.index(c, y, x)] = base + (gap * y + a) * gridW + gap * x + b;
                }
            }
        }
        int grids = (s.channels() + perGrid - 1) / perGrid;
        return new Layout(slot, Math.multiplyExact(grids, cell), gap, gridH, gridW);
    }

    /** The same slots viewed as an unstructured vector (after flattening). */
    Layout unstructured() {
        return new Layout(slotOf, span, 0, 0, 0);
    }

    /**
     * The layout of the output of a spatial operator with the given stride: with multiplexing,
     * the input's grid with the gap multiplied by the stride (grown if the output needs more
     * room); otherwise flat.
     */
    Layout after(Shape out, int stride, boolean multiplex) {
        if (!multiplex || gap == 0) {
            return flat(out);
        }
        int g = gap * stride;
        return multiplexed(out, g, Math.max(gridH, out.height() * g), Math.max(gridW, out.width() * g));
    }

    /** Whether this is the identity layout of {@code n} values. */
    boolean isIdentity() {
        if (span != slotOf.length) {
            return false;
        }
        for (int i = 0; i < slotOf.length; i++) {
            if (slotOf[i] != i) {
                return false;
            }
        }
        return true;
    }

    /** Spreads a tensor-ordered vector onto its slots (zero elsewhere). */
    double[] scatter(double[] values) {
        double[] v = new double[span];
        for (int i = 0; i < slotOf.length; i++) {
            v[slotOf[i]] = values[i];
        }
        return v;
    }

    /** Whether two layouts put every element in the same slot. */
    boolean sameSlots(Layout o) {
        return span == o.span && java.util.Arrays.equals(slotOf, o.slotOf);
    }

    @Override
    public String toString() {
        return gap == 1 && isIdentity() ? "flat" : gap == 0 ? "vector(" + span + ")" : "gap " + gap + " on " + gridH + "×" + gridW;
    }
}
