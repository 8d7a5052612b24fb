package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CkksRotationTest {
    private final CkksTestKit kit = CkksTestKit.n13();
    private final int slots = kit.encoder.slots();
    private static GaloisKeys powers;

    private synchronized GaloisKeys powers() {
        if (powers == null) {
            powers = kit.keys.powerOfTwoGaloisKeys(true);
        }
        return powers;
    }

    private static double[] rotated(double[] v, int step) {
        int n = v.length;
        double[] r = new double[n];
        for (int j = 0; j < n; j++) {
            r[j] = v[Math.floorMod(j + step, n)];
        }
        return r;
    }

    /**
     * A key switch whose digit is as large as P (here q0 and P both 41 bits, the shape of parameters
     * the network compiler picks; 43 bits before the 2024 bound of 214 bits at N = 2^13) must cost
     * only the key-switching noise, on every key. Uncentered digits, of
     * mean Q_d/2, once made the key's error add (Q_d/2P)·e times the all-ones polynomial, about N/π
     * at the slots nearest 1: 13.1 to 16.0 bits after one rotation depending on the key, against
     * 17.4 to 18.3 with centered digits (fresh encryptions: 23 bits).
     */
    @Test
    void rotationsKeepTheirPrecisionOnEveryKeyWhenADigitIsAsLargeAsP() {
        CkksParameters params = CkksParameters.builder().logN(13).qBits(java.util.List.of(41, 33, 33, 33, 33))
                .pBits(java.util.List.of(41)).logScale(33).build();
        double[] v = CkksTestKit.random(new SplittableRandom(5), 1 << 12, 1);
        for (byte seed = 0; seed < 4; seed++) {
            CkksTestKit k = new CkksTestKit(params, seed);
            GaloisKeys keys = k.keys.galoisKeys(new int[] {1}, false);
            for (int level : new int[] {0, 4}) {
                Ciphertext c = k.symmetric.encrypt(k.encoder.encode(v, level, 0x1p33));
                CkksTestKit.assertBits(16.5, rotated(v, 1), k.decrypt(k.eval.rotate(c, 1, keys)),
                        "rotate 1, 41-bit digit and P, key " + seed + ", level " + level);
            }
        }
    }

    @Test
    void rotationsByEveryPowerOfTwoBothWays() {
        SplittableRandom rnd = new SplittableRandom(11);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        Ciphertext c = kit.encrypt(v);
        for (int step = 1; step < slots; step <<= 1) {
            CkksTestKit.assertBits(19.5, rotated(v, step), kit.decrypt(kit.eval.rotate(c, step, powers())), "rotate " + step);
            CkksTestKit.assertBits(19.5, rotated(v, -step), kit.decrypt(kit.eval.rotate(c, -step, powers())), "rotate " + -step);
        }
    }

    @Test
    void randomStepsAtLowerLevels() {
        SplittableRandom rnd = new SplittableRandom(12);
        int[] steps = {3, 17, 1000, -5, slots - 1};
        GaloisKeys keys = kit.keys.galoisKeys(steps, false);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        for (int level : new int[] {kit.ctx.maxLevel(), 1, 0}) {
            Ciphertext c = kit.eval.dropToLevel(kit.encrypt(v), level);
            for (int s : steps) {
                CkksTestKit.assertBits(19.5, rotated(v, s), kit.decrypt(kit.eval.rotate(c, s, keys)), "rotate " + s + " at level " + level);
            }
        }
    }

    @Test
    void keysMadeForLowLevelsOnly() {
        SplittableRandom rnd = new SplittableRandom(15);
        int[] steps = {3, -7, 100};
        int[] levels = {1, 0, 2};
        GaloisKeys low = kit.keys.galoisKeys(steps, levels, false);
        GaloisKeys full = kit.keys.galoisKeys(steps, false);
        assertTrue(low.sizeInBytes() < full.sizeInBytes(), low.sizeInBytes() + " vs " + full.sizeInBytes());
        Serialization ser = new Serialization(kit.ctx);
        byte[] bytes = ser.write(low);
        GaloisKeys back = ser.readGaloisKeys(bytes);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        for (int i = 0; i < steps.length; i++) {
            assertEquals(levels[i], low.maxLevel(steps[i], slots));
            assertEquals(levels[i], back.maxLevel(steps[i], slots));
            for (int level = 0; level <= kit.ctx.maxLevel(); level++) {
                Ciphertext c = kit.eval.dropToLevel(kit.encrypt(v), level);
                int s = steps[i];
                if (level <= levels[i]) {
                    String what = "step " + s + " at level " + level;
                    CkksTestKit.assertBits(19.5, rotated(v, s), kit.decrypt(kit.eval.rotate(c, s, low)), what);
                    CkksTestKit.assertBits(19.5, rotated(v, s), kit.decrypt(kit.eval.rotate(c, s, back)), what + " (deserialized)");
                    CkksTestKit.assertBits(19.5, rotated(v, s), kit.decrypt(kit.eval.rotateHoisted(c, new int[] {s}, low)[0]), what + " hoisted");
                } else {
                    CkksException.LevelException e = assertThrows(CkksException.LevelException.class, () -> kit.eval.rotate(c, s, low));
                    assertTrue(e.getMessage().contains("rotation by " + s), e.getMessage());
                    assertThrows(CkksException.LevelException.class, () -> kit.eval.rotateHoisted(c, new int[] {s}, low));
                }
            }
        }
        assertEquals(-1, low.maxLevel(5, slots));
        assertThrows(IllegalArgumentException.class, () -> kit.keys.galoisKeys(new int[] {1}, new int[] {kit.ctx.maxLevel() + 1}, false));
        assertThrows(IllegalArgumentException.class, () -> kit.keys.galoisKeys(new int[] {1, 2}, new int[] {0}, false));
        byte[] cut = java.util.Arrays.copyOf(bytes, bytes.length - 1);
        assertThrows(CkksException.SerializationException.class, () -> ser.readGaloisKeys(cut));
    }

    @Test
    void conjugationOfComplexSlots() {
        SplittableRandom rnd = new SplittableRandom(13);
        double[] re = CkksTestKit.random(rnd, slots, 1);
        double[] im = CkksTestKit.random(rnd, slots, 1);
        Ciphertext c = kit.encryptor.encrypt(kit.encoder.encode(re, im, kit.ctx.maxLevel(), kit.ctx.parameters().defaultScale()));
        double[][] out = kit.encoder.decodeComplex(kit.decryptor.decrypt(kit.eval.conjugate(c, powers())));
        double[] negIm = new double[slots];
        for (int i = 0; i < slots; i++) {
            negIm[i] = -im[i];
        }
        CkksTestKit.assertBits(19.5, re, out[0], "conjugate real");
        CkksTestKit.assertBits(19.5, negIm, out[1], "conjugate imaginary");
    }

    @Test
    void hoistedEqualsOneByOne() {
        SplittableRandom rnd = new SplittableRandom(14);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        Ciphertext c = kit.encrypt(v);
        int[] steps = {1, 2, 4, 8, 16, 32, 64, -1};
        Ciphertext[] hoisted = kit.eval.rotateHoisted(c, steps, powers());
        for (int s = 0; s < steps.length; s++) {
            double[] one = kit.decrypt(kit.eval.rotate(c, steps[s], powers()));
            double[] h = kit.decrypt(hoisted[s]);
            CkksTestKit.assertBits(19.5, rotated(v, steps[s]), h, "hoisted " + steps[s]);
            CkksTestKit.assertBits(19.5, one, h, "hoisted vs one-by-one " + steps[s]);
        }
    }

    @Test
    void addRotatedIsAddOfRotateBitForBit() {
        SplittableRandom rnd = new SplittableRandom(16);
        Serialization ser = new Serialization(kit.ctx);
        Ciphertext a = kit.encrypt(CkksTestKit.random(rnd, slots, 1));
        Ciphertext b = kit.encrypt(CkksTestKit.random(rnd, slots, 1));
        for (int step : new int[] {1, -4, 0, 64}) {
            assertArrayEquals(ser.write(kit.eval.add(a, kit.eval.rotate(b, step, powers()))),
                    ser.write(kit.eval.addRotated(a, b, step, powers())), "step " + step);
        }
        Ciphertext low = kit.eval.dropToLevel(a, 1);
        assertArrayEquals(ser.write(kit.eval.add(low, kit.eval.rotate(kit.eval.dropToLevel(b, 1), 2, powers()))),
                ser.write(kit.eval.addRotated(low, b, 2, powers())), "b above a's level is rotated at a's level");
        assertThrows(CkksException.MissingKeyException.class, () -> kit.eval.addRotated(a, b, 3, powers()));
        assertThrows(CkksException.ScaleMismatchException.class,
                () -> kit.eval.addRotated(a, kit.eval.multiplyConstant(b, 1.0), 1, powers()));
    }

    @Test
    void rotateAndSumAddsConsecutiveSlots() {
        SplittableRandom rnd = new SplittableRandom(15);
        double[] v = CkksTestKit.random(rnd, slots, 1);
        int count = 16;
        double[] expected = new double[slots];
        for (int j = 0; j < slots; j++) {
            for (int t = 0; t < count; t++) {
                expected[j] += v[(j + t) % slots];
            }
        }
        CkksTestKit.assertBits(19.5, expected, kit.decrypt(kit.eval.rotateAndSum(kit.encrypt(v), count, powers())), "rotateAndSum");
    }
}
