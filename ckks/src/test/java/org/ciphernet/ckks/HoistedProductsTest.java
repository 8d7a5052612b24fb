package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Evaluator#multiplyRotationsHoisted}: sums of weighted rotations with one ModDown per sum,
 * against plaintext doubles and against the same sums of one-by-one rotations, and the pool of
 * temporaries behind key switching.
 */
class HoistedProductsTest {
    private final CkksTestKit kit = CkksTestKit.n13();
    private final int slots = kit.encoder.slots();
    private static final int[] STEPS = {0, 1, 2, 5, -1, 100, 2};
    private static GaloisKeys keys;

    private synchronized GaloisKeys keys() {
        if (keys == null) {
            keys = kit.keys.galoisKeys(new int[] {1, 2, 5, -1, 100}, false);
        }
        return keys;
    }

    private static double[] rotated(double[] v, int step) {
        double[] r = new double[v.length];
        for (int j = 0; j < v.length; j++) {
            r[j] = v[Math.floorMod(j + step, v.length)];
        }
        return r;
    }

    /** Three rows: all terms, some missing, only the identity. */
    private double[][][] weights(SplittableRandom rnd) {
        double[][][] w = new double[3][STEPS.length][];
        for (int r = 0; r < 3; r++) {
            for (int s = 0; s < STEPS.length; s++) {
                boolean present = r == 0 || (r == 1 && s % 2 == 1) || (r == 2 && s == 0);
                w[r][s] = present ? CkksTestKit.random(rnd, slots, 1) : null;
            }
        }
        return w;
    }

    private Plaintext[][] encode(double[][][] w, int level, double scale, boolean extended) {
        Plaintext[][] p = new Plaintext[w.length][STEPS.length];
        for (int r = 0; r < w.length; r++) {
            for (int s = 0; s < STEPS.length; s++) {
                if (w[r][s] != null) {
                    p[r][s] = extended ? kit.encoder.encodeExtended(w[r][s], level, scale) : kit.encoder.encode(w[r][s], level, scale);
                }
            }
        }
        return p;
    }

    @Test
    void sumsOfWeightedRotationsMatchDoublesWithNoMoreNoiseThanOneByOne() {
        SplittableRandom rnd = new SplittableRandom(21);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        double[][][] w = weights(rnd);
        for (int level : new int[] {kit.ctx.maxLevel(), 1}) {
            Ciphertext c = kit.eval.dropToLevel(kit.encrypt(v), level);
            double scale = kit.ctx.qPrime(level);
            Plaintext[][] pts = encode(w, level, scale, true);
            Ciphertext[] hoisted = kit.eval.multiplyRotationsHoisted(c, STEPS, pts, keys());
            assertEquals(3, hoisted.length);
            Ciphertext[] rotations = kit.eval.rotateHoisted(c, STEPS, keys());
            for (int r = 0; r < 3; r++) {
                double[] expected = new double[slots];
                Ciphertext oneByOne = null;
                for (int s = 0; s < STEPS.length; s++) {
                    if (w[r][s] == null) {
                        continue;
                    }
                    double[] rot = rotated(v, STEPS[s]);
                    for (int j = 0; j < slots; j++) {
                        expected[j] += w[r][s][j] * rot[j];
                    }
                    Ciphertext term = kit.eval.multiplyPlain(rotations[s], pts[r][s]);
                    oneByOne = oneByOne == null ? term : kit.eval.add(oneByOne, term);
                }
                assertEquals(level, hoisted[r].level());
                assertEquals(c.scale() * scale, hoisted[r].scale(), 1e-6 * hoisted[r].scale());
                double h = CkksTestKit.bits(expected, kit.decrypt(kit.eval.rescale(hoisted[r])));
                double o = CkksTestKit.bits(expected, kit.decrypt(kit.eval.rescale(oneByOne)));
                System.out.printf("hoisted sum row %d level %d: %.1f bits, one by one %.1f bits%n", r, level, h, o);
                CkksTestKit.assertBits(22.5, expected, kit.decrypt(kit.eval.rescale(hoisted[r])), "hoisted sum row " + r + " level " + level);
                assertTrue(h >= o - 0.5, "row " + r + ": hoisted " + h + " bits, one by one " + o);
            }
        }
    }

    @Test
    void sameBitsOnAPoolAsInTheCallingThread() {
        SplittableRandom rnd = new SplittableRandom(22);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        Ciphertext c = kit.encrypt(v);
        Plaintext[][] pts = encode(weights(rnd), c.level(), kit.ctx.qPrime(c.level()), true);
        Serialization ser = new Serialization(kit.ctx);
        Ciphertext[] one = kit.eval.multiplyRotationsHoisted(c, STEPS, pts, keys());
        try (var pool = new java.util.concurrent.ForkJoinPool(2)) {
            Ciphertext[] two = new Evaluator(kit.ctx, pool).multiplyRotationsHoisted(c, STEPS, pts, keys());
            for (int r = 0; r < one.length; r++) {
                assertArrayEquals(ser.write(one[r]), ser.write(two[r]), "row " + r);
            }
        }
    }

    /** Weights given as values are encoded into reused buffers: the same bits as encoding them first. */
    @Test
    void weightsEncodedOnTheFlyGiveTheSameBits() {
        SplittableRandom rnd = new SplittableRandom(26);
        Ciphertext c = kit.eval.dropToLevel(kit.encrypt(CkksTestKit.random(rnd, slots, 1)), 2);
        double scale = kit.ctx.qPrime(c.level());
        double[][][] w = weights(rnd);
        Plaintext[][] pts = encode(w, c.level(), scale, true);
        Serialization ser = new Serialization(kit.ctx);
        Ciphertext[] fromPlaintexts = kit.eval.multiplyRotationsHoisted(c, STEPS, pts, keys());
        Ciphertext[] fromValues = kit.eval.multiplyRotationsHoisted(c, STEPS, w.length, r -> w[r], scale, keys());
        for (int r = 0; r < w.length; r++) {
            assertArrayEquals(ser.write(fromPlaintexts[r]), ser.write(fromValues[r]), "row " + r);
        }
        Ciphertext[] rotations = kit.eval.rotateHoisted(c, new int[] {1, 2, 5}, keys());
        Plaintext[] plain = new Plaintext[3];
        for (int t = 0; t < 3; t++) {
            plain[t] = kit.encoder.encode(w[0][t], c.level(), scale);
        }
        assertArrayEquals(ser.write(kit.eval.multiplyAccumulate(rotations, plain)),
                ser.write(kit.eval.multiplyAccumulateEncoded(rotations, new double[][] {w[0][0], w[0][1], w[0][2]}, scale)));
        double[][] bad = {w[0][0], w[0][1], new double[] {Double.NaN}};
        assertThrows(IllegalArgumentException.class, () -> kit.eval.multiplyAccumulateEncoded(rotations, bad, scale));
        assertThrows(IllegalArgumentException.class,
                () -> kit.eval.multiplyRotationsHoisted(c, STEPS, 1, r -> new double[][] {{Double.POSITIVE_INFINITY}}, scale, keys()));
    }

    @Test
    void extendedPlaintextsAreOrdinaryPlaintextsToo() {
        SplittableRandom rnd = new SplittableRandom(23);
        double[] w = CkksTestKit.random(rnd, slots, 1);
        Plaintext plain = kit.encoder.encode(w, 2, 0x1p30);
        Plaintext ext = kit.encoder.encodeExtended(w, 2, 0x1p30);
        assertTrue(ext.isExtended());
        assertFalse(plain.isExtended());
        assertEquals(plain.poly(), ext.poly());
        for (int j = 0; j < kit.ctx.pCount(); j++) {
            assertEquals(kit.ctx.degree(), ext.specialLimbs()[j].length);
        }
        Ciphertext c = kit.encrypt(CkksTestKit.random(rnd, slots, 1));
        Serialization ser = new Serialization(kit.ctx);
        assertArrayEquals(ser.write(kit.eval.multiplyPlain(c, plain)), ser.write(kit.eval.multiplyPlain(c, ext)));
        assertArrayEquals(ser.write(plain), ser.write(ext));
        assertFalse(ser.readPlaintext(ser.write(ext)).isExtended());
    }

    @Test
    void misuseIsRefusedByName() {
        SplittableRandom rnd = new SplittableRandom(24);
        Ciphertext c = kit.encrypt(CkksTestKit.random(rnd, slots, 1));
        double scale = kit.ctx.qPrime(c.level());
        double[][][] w = weights(rnd);
        Plaintext[][] plain = encode(w, c.level(), scale, false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> kit.eval.multiplyRotationsHoisted(c, STEPS, plain, keys()));
        assertTrue(e.getMessage().contains("encodeExtended"), e.getMessage());
        Plaintext[][] ext = encode(w, c.level(), scale, true);
        CkksException.MissingKeyException missing = assertThrows(CkksException.MissingKeyException.class,
                () -> kit.eval.multiplyRotationsHoisted(c, new int[] {0, 1, 2, 5, -1, 100, 3}, ext, keys()));
        assertTrue(missing.getMessage().contains("rotation by 3"), missing.getMessage());
        ext[1][1] = kit.encoder.encodeExtended(w[0][1], c.level(), scale * 2);
        assertThrows(CkksException.ScaleMismatchException.class, () -> kit.eval.multiplyRotationsHoisted(c, STEPS, ext, keys()));
        assertThrows(IllegalArgumentException.class,
                () -> kit.eval.multiplyRotationsHoisted(c, new int[] {1}, new Plaintext[][] {{null, null}}, keys()));
        Plaintext[][] low = encode(w, c.level() - 1, scale, true);
        CkksException.LevelException lowLevel = assertThrows(CkksException.LevelException.class,
                () -> kit.eval.multiplyRotationsHoisted(c, STEPS, low, keys()));
        assertTrue(lowLevel.getMessage().contains("below the ciphertext's"), lowLevel.getMessage());
        Ciphertext[] empty = kit.eval.multiplyRotationsHoisted(c, new int[] {1}, new Plaintext[][] {{null}}, keys());
        CkksTestKit.assertBits(19, new double[slots], kit.decrypt(empty[0]), "a row without terms");
    }

    /** Every temporary goes back: the pool holds as many arrays after a second identical call as after the first. */
    @Test
    void keySwitchingReturnsEveryTemporaryToThePool() {
        SplittableRandom rnd = new SplittableRandom(25);
        Ciphertext c = kit.encrypt(CkksTestKit.random(rnd, slots, 1));
        Plaintext[][] pts = encode(weights(rnd), c.level(), kit.ctx.qPrime(c.level()), true);
        LimbPool pool = kit.ctx.keySwitcher().pool();
        double[][][] values = weights(rnd);
        Runnable all = () -> {
            kit.eval.multiplyRotationsHoisted(c, STEPS, pts, keys());
            kit.eval.multiplyRotationsHoisted(c, STEPS, values.length, r -> values[r], kit.ctx.qPrime(c.level()), keys());
            assertThrows(IllegalArgumentException.class, () -> kit.eval.multiplyRotationsHoisted(c, STEPS, 1,
                    r -> new double[][] {{1}, {Double.NaN}, null, null, null, null, null}, kit.ctx.qPrime(c.level()), keys()));
            kit.eval.rotateHoisted(c, STEPS, keys());
            kit.eval.rotate(c, 5, keys());
            kit.eval.rescale(kit.eval.relinearize(kit.eval.square(c), kit.rk));
            assertThrows(CkksException.MissingKeyException.class, () -> kit.eval.rotateHoisted(c, new int[] {1, 3}, keys()));
        };
        all.run();
        int first = pool.available();
        all.run();
        assertEquals(first, pool.available());
        assertTrue(first > 0 && first <= pool.capacity(), first + " arrays");
    }
}
