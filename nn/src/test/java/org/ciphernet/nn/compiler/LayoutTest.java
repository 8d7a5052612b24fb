package org.ciphernet.nn.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Shape;
import org.junit.jupiter.api.Test;

/** Multiplexed layouts: distinct slots, few diagonals for strided convolutions, exact plans. */
class LayoutTest {
    static int distinctDiagonals(SparseMatrix m, int slots) {
        Set<Integer> d = new HashSet<>();
        for (int r = 0; r < m.rows(); r++) {
            for (int k = m.rowStart(r); k < m.rowEnd(r); k++) {
                d.add(Math.floorMod(m.colAt(k) - r, slots));
            }
        }
        return d.size();
    }

    @Test
    void everyElementHasItsOwnSlot() {
        for (int[] c : new int[][] {{1, 4, 4, 1, 4, 4}, {5, 3, 3, 2, 7, 6}, {16, 4, 4, 4, 16, 16}, {3, 2, 5, 2, 4, 10}}) {
            Shape s = new Shape(c[0], c[1], c[2]);
            Layout l = Layout.multiplexed(s, c[3], c[4], c[5]);
            Set<Integer> seen = new HashSet<>();
            for (int slot : l.slotOf()) {
                assertTrue(slot >= 0 && slot < l.span(), "slot " + slot + " outside span " + l.span());
                assertTrue(seen.add(slot), "slot " + slot + " used twice");
            }
            assertEquals(s.size(), seen.size());
        }
        assertTrue(Layout.flat(new Shape(3, 5, 7)).isIdentity());
        assertThrows(IllegalArgumentException.class, () -> Layout.multiplexed(new Shape(4, 5, 5), 2, 8, 8));
    }

    @Test
    void outputGridGrowsWhenTheStridedOutputNeedsRoom() {
        Layout in = Layout.flat(new Shape(3, 7, 7));
        Layout out = in.after(new Shape(4, 4, 4), 2, true);
        assertEquals(2, out.gap());
        assertEquals(8, out.gridH());
        assertEquals(64, out.span());
        assertTrue(in.after(new Shape(4, 4, 4), 2, false).isIdentity());
    }

    @Test
    void stridedConvolutionKeepsFewDiagonals() {
        SplittableRandom rnd = new SplittableRandom(3);
        double[] w = new double[32 * 16 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = rnd.nextDouble() - 0.5;
        }
        Conv2d conv = Conv2d.of(16, 32, 3, 2, 1, w, new double[32]);
        Shape in = new Shape(16, 32, 32);
        Shape out = conv.outputShape(in);
        Layout inL = Layout.flat(in);
        int slots = 32768;
        int flat = distinctDiagonals(Lowering.convMatrix(conv, in, out, inL, Layout.flat(out)), slots);
        SparseMatrix mm = Lowering.convMatrix(conv, in, out, inL, inL.after(out, 2, true));
        int multiplexed = distinctDiagonals(mm, slots);
        // 8 grids of 4 channels: (16 + 8 − 1) grid offsets × 4 row offsets × 4 column offsets
        assertEquals(23 * 4 * 4, multiplexed);
        assertTrue(flat > 10 * multiplexed, "flat layout: " + flat + " diagonals");
    }

    @Test
    void plansOnMultiplexedLayoutsAreExact() {
        SplittableRandom rnd = new SplittableRandom(4);
        Shape in = new Shape(3, 7, 7);
        double[] w1 = new double[4 * 3 * 9];
        double[] w2 = new double[6 * 4 * 9];
        for (int i = 0; i < w1.length; i++) {
            w1[i] = rnd.nextDouble() - 0.5;
        }
        for (int i = 0; i < w2.length; i++) {
            w2[i] = rnd.nextDouble() - 0.5;
        }
        Conv2d c1 = Conv2d.of(3, 4, 3, 2, 1, w1, new double[4]);
        Conv2d c2 = Conv2d.of(4, 6, 3, 2, 1, w2, new double[6]);
        Shape mid = c1.outputShape(in);
        Shape out = c2.outputShape(mid);
        Layout l0 = Layout.flat(in);
        Layout l1 = l0.after(mid, 2, true);
        Layout l2 = l1.after(out, 2, true);
        DiagonalPlanTest.check(Lowering.convMatrix(c1, in, mid, l0, l1), 256, 41);
        DiagonalPlanTest.check(Lowering.convMatrix(c2, mid, out, l1, l2), 256, 42);
        DiagonalPlanTest.check(Lowering.convMatrix(c2, mid, out, l1, l2), 1024, 43);
    }
}
