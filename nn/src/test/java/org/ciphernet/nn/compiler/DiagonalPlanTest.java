package org.ciphernet.nn.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.ciphernet.nn.model.Conv2d;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.plan.DiagonalSchedule;
import org.junit.jupiter.api.Test;

/**
 * The diagonal plans, replayed on plain double vectors with the same rotations, products and
 * folds the server performs on ciphertexts, against a direct sparse product. Slots outside the
 * input hold garbage, which the plan must ignore.
 */
class DiagonalPlanTest {
    static double[] rot(double[] v, int s) {
        int n = v.length;
        double[] r = new double[n];
        for (int i = 0; i < n; i++) {
            r[i] = v[Math.floorMod(i + s, n)];
        }
        return r;
    }

    static double[] add(double[] a, double[] b) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = a[i] + b[i];
        }
        return r;
    }

    /** Evaluates the schedule exactly as the single-image runtime does, on doubles. */
    static double[] simulate(DiagonalSchedule p, double[] x) {
        return simulate(p, x, x.length);
    }

    /** Diagonal slot values repeated at every stride, as the runtime does for packed plans. */
    static double[] repeated(double[] v, int stride) {
        double[] r = v.clone();
        for (int i = 0; i < v.length; i++) {
            for (int j = 1; j < v.length / stride; j++) {
                if (v[i] != 0) {
                    r[(i + j * stride) % v.length] = v[i];
                }
            }
        }
        return r;
    }

    /** As above, with the images of a packed ciphertext {@code stride} slots apart. */
    static double[] simulate(DiagonalSchedule p, double[] x, int stride) {
        int[] babies = p.babies();
        int[] giants = p.giants();
        if (giants.length == 0) {
            return new double[x.length]; // an all-zero matrix
        }
        double[][] rotated = new double[babies.length][];
        for (int b = 0; b < babies.length; b++) {
            rotated[b] = rot(x, babies[b]);
        }
        Map<Integer, double[]> byK = new HashMap<>();
        for (int g = 0; g < giants.length; g++) {
            double[] y = new double[x.length];
            for (int b = 0; b < babies.length; b++) {
                if (p.hasDiagonal(g, b)) {
                    double[] d = repeated(p.diagonal(g, b), stride);
                    for (int i = 0; i < y.length; i++) {
                        y[i] += d[i] * rotated[b][i];
                    }
                }
            }
            byK.put(giants[g], y);
        }
        double[] acc;
        if (p.horner()) {
            int kMin = giants[0];
            int kMax = giants[giants.length - 1];
            acc = byK.get(kMax);
            for (int k = kMax - 1; k >= kMin; k--) {
                acc = rot(acc, p.n1());
                if (byK.containsKey(k)) {
                    acc = add(acc, byK.get(k));
                }
            }
            if (kMin != 0) {
                acc = rot(acc, kMin * p.n1());
            }
        } else {
            acc = new double[x.length];
            for (int g = 0; g < giants.length; g++) {
                acc = add(acc, rot(byK.get(giants[g]), giants[g] * p.n1()));
            }
        }
        if (p.foldRotations() > 0) {
            if (p.foldStart() != 0) {
                acc = rot(acc, p.foldStart() * p.fold());
            }
            for (int c = 1; c < p.foldCount(); c <<= 1) {
                acc = add(acc, rot(acc, c * p.fold()));
            }
        }
        return acc;
    }

    static void check(SparseMatrix m, int slots, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = new double[m.cols()];
        double[] slotsX = new double[slots];
        for (int i = 0; i < slots; i++) {
            slotsX[i] = 1000 + rnd.nextDouble(); // garbage outside the input
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble() * 2 - 1;
            slotsX[i] = x[i];
        }
        DiagonalSchedule p = DiagonalPlanning.plan(m, slots);
        double[] expected = m.multiply(x);
        double[] got = simulate(p, slotsX);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-9, "output " + i + " of " + p);
        }
        // the key set covers every rotation the simulation used
        assertTrue(p.steps().size() <= p.rotations() + 1, p.toString());
    }

    /** k = slots / stride images side by side, garbage in every other slot: each image's product is exact. */
    static void checkPacked(SparseMatrix m, int slots, int stride, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] slotsX = new double[slots];
        for (int i = 0; i < slots; i++) {
            slotsX[i] = 1000 + rnd.nextDouble();
        }
        int k = slots / stride;
        double[][] x = new double[k][m.cols()];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < m.cols(); i++) {
                x[j][i] = rnd.nextDouble() * 2 - 1;
                slotsX[j * stride + i] = x[j][i];
            }
        }
        DiagonalSchedule p = DiagonalPlanning.plan(m, slots, stride);
        double[] got = simulate(p, slotsX, stride);
        for (int j = 0; j < k; j++) {
            double[] expected = m.multiply(x[j]);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], got[j * stride + i], 1e-9, "image " + j + " output " + i + " of " + p);
            }
        }
    }

    @Test
    void packedImagesStayInTheirWindows() {
        int[][] shapes = {{5, 7}, {64, 64}, {100, 845}, {10, 100}, {3, 500}, {845, 100}};
        long seed = 40;
        for (int[] s : shapes) {
            int stride = Integer.highestOneBit(Math.max(s[0], s[1]) * 2 - 1);
            for (double density : new double[] {0.05, 1.0}) {
                for (int k : new int[] {2, 4}) {
                    checkPacked(random(s[0], s[1], density, seed), stride * k, stride, seed++);
                }
            }
        }
        // a wide dense layer still folds when packed, within its window
        SparseMatrix dense = random(100, 845, 1.0, 3);
        DiagonalSchedule p = DiagonalPlanning.plan(dense, 4096, 1024);
        assertTrue(p.fold() < 1024 && (long) p.fold() * p.foldCount() <= 1024, p.toString());
        checkPacked(dense, 4096, 1024, 3);
    }

    static SparseMatrix random(int rows, int cols, double density, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        SparseMatrix.Builder b = new SparseMatrix.Builder(rows, cols);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (rnd.nextDouble() < density) {
                    b.add(r, c, rnd.nextDouble() * 2 - 1);
                }
            }
        }
        return b.build();
    }

    @Test
    void randomMatricesOfEveryShape() {
        int[][] shapes = {{1, 1}, {5, 7}, {7, 5}, {64, 64}, {100, 845}, {10, 100}, {845, 100}, {256, 256}, {3, 500}};
        long seed = 1;
        for (int[] s : shapes) {
            for (double density : new double[] {0.01, 0.3, 1.0}) {
                check(random(s[0], s[1], density, seed), 1024, seed++);
            }
        }
    }

    @Test
    void denseLayerUsesTheFold() {
        SparseMatrix m = random(100, 845, 1.0, 3);
        DiagonalSchedule p = DiagonalPlanning.plan(m, 4096);
        System.out.println("dense 845→100 at 4096 slots: " + p + ", " + p.rotations() + " rotations");
        assertTrue(p.fold() < 4096, "a wide dense layer should fold: " + p);
        assertTrue(p.diagonals() <= 128, p.toString());
        check(m, 4096, 3);
    }

    @Test
    void convolutionsWithStridePaddingAndChannels() {
        SplittableRandom rnd = new SplittableRandom(5);
        int[][] cases = {{1, 5, 5, 2, 1, 28}, {3, 4, 3, 1, 1, 8}, {4, 4, 3, 2, 1, 8}, {2, 3, 1, 1, 0, 6}, {16, 16, 3, 1, 1, 8}};
        for (int[] c : cases) {
            int in = c[0];
            int out = c[1];
            int k = c[2];
            double[] w = new double[in * out * k * k];
            for (int i = 0; i < w.length; i++) {
                w[i] = rnd.nextDouble() - 0.5;
            }
            Conv2d conv = Conv2d.of(in, out, k, c[3], c[4], w, new double[out]);
            Shape s = new Shape(in, c[5], c[5]);
            SparseMatrix m = Lowering.convMatrix(conv, s, conv.outputShape(s));
            int slots = Integer.highestOneBit(Math.max(m.rows(), m.cols()) * 2 - 1);
            slots = Math.max(slots, 64);
            check(m, slots, c[0] * 100 + c[5]);
            check(m, slots * 4, c[0] * 100 + c[5] + 1);
        }
    }

    @Test
    void compositionIsTheProduct() {
        SparseMatrix a = random(20, 30, 0.2, 8);
        SparseMatrix b = random(30, 40, 0.2, 9);
        double[] x = new double[40];
        for (int i = 0; i < 40; i++) {
            x[i] = i * 0.1 - 2;
        }
        double[] direct = a.multiply(b.multiply(x));
        double[] composed = a.compose(b).multiply(x);
        for (int i = 0; i < 20; i++) {
            assertEquals(direct[i], composed[i], 1e-12);
        }
        assertTrue(SparseMatrix.identity(7).isIdentity());
        assertTrue(!SparseMatrix.diagonal(new double[] {1, 2}).isIdentity());
    }
}
