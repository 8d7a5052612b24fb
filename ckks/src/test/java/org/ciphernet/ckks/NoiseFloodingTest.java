package org.ciphernet.ckks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Server-side flooding and flooding decryption: the noise they add has the documented width. */
class NoiseFloodingTest {
    private static byte[] seed(int b) {
        byte[] s = new byte[32];
        java.util.Arrays.fill(s, (byte) b);
        return s;
    }

    /** Root mean square of a − b over the first {@code count} slots. */
    private static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    @Test
    void serverFloodingAddsNoiseOfThePlannedWidthAndKeepsTheMessage() {
        CkksTestKit k = CkksTestKit.n13();
        double[] v = CkksTestKit.random(new SplittableRandom(1), k.ctx.slots(), 1);
        Ciphertext ct = k.encrypt(v);
        double[] plain = k.decrypt(ct);
        NoiseFlooding flooding = NoiseFlooding.reproducible(k.ctx, k.keys.publicKey(), seed(3));
        double log2Sigma = 28; // slot deviation 2^28 · √(2^12) / 2^40 = 2^-6
        Ciphertext f1 = flooding.flood(ct, log2Sigma);
        Ciphertext f2 = flooding.flood(ct, log2Sigma);
        assertEquals(ct.level(), f1.level());
        assertEquals(ct.scale(), f1.scale());
        double[] d1 = k.decrypt(f1);
        double[] d2 = k.decrypt(f2);
        double expected = Math.pow(2, log2Sigma) * Math.sqrt(k.ctx.degree() / 2.0) / ct.scale();
        double measured = rms(d1, plain);
        System.out.printf("server flooding 2^%.0f: slot deviation %.3e, expected %.3e%n", log2Sigma, measured, expected);
        assertTrue(measured > 0.85 * expected && measured < 1.15 * expected, measured + " vs " + expected);
        // two floodings of the same ciphertext differ by √2 times the width
        double between = rms(d1, d2);
        assertTrue(between > 0.85 * Math.sqrt(2) * expected && between < 1.15 * Math.sqrt(2) * expected, between + "");
        // the message survives: the mean of the difference is near zero
        double mean = 0;
        for (int i = 0; i < v.length; i++) {
            mean += d1[i] - v[i];
        }
        mean /= v.length;
        assertTrue(Math.abs(mean) < 5 * expected / Math.sqrt(v.length), "bias " + mean);
    }

    @Test
    void smallFloodingChangesTheLowBitsOnly() {
        CkksTestKit k = CkksTestKit.n13();
        double[] v = CkksTestKit.random(new SplittableRandom(2), k.ctx.slots(), 1);
        Ciphertext ct = k.encrypt(v);
        double[] plain = k.decrypt(ct);
        double[] flooded = k.decrypt(NoiseFlooding.reproducible(k.ctx, k.keys.publicKey(), seed(4)).flood(ct, 12));
        double diff = rms(plain, flooded);
        assertTrue(diff > 0, "flooding changed nothing");
        assertTrue(diff < 1e-6, "2^12 of flooding at scale 2^40 must stay in the low bits, moved " + diff);
    }

    @Test
    void floodingDecryptionAddsTheDocumentedWidth() {
        CkksTestKit k = CkksTestKit.n13();
        double[] v = CkksTestKit.random(new SplittableRandom(5), k.ctx.slots(), 1);
        Ciphertext ct = k.encrypt(v);
        double[] plain = k.decrypt(ct);
        // t = 2^10, s = 30, τ = 16: σ = √192 · 2^15 · 2^10
        double log2Sigma = FloodingDecryptor.sigmaFor(10, 30, 16);
        assertEquals(10 + 15 + 0.5 * Math.log(192) / Math.log(2), log2Sigma, 1e-12);
        FloodingDecryptor fd = FloodingDecryptor.reproducible(k.ctx, k.keys.secretKey(), log2Sigma, seed(6));
        double[] a = k.encoder.decode(fd.decrypt(ct));
        double[] b = k.encoder.decode(fd.decrypt(ct));
        double expected = fd.slotDeviation(ct.scale());
        double measured = rms(a, plain);
        System.out.printf("flooding decryption 2^%.2f: slot deviation %.3e, expected %.3e%n", log2Sigma, measured, expected);
        assertTrue(measured > 0.85 * expected && measured < 1.15 * expected, measured + " vs " + expected);
        assertTrue(rms(a, b) > 0.85 * Math.sqrt(2) * expected, "two flooded decryptions must differ");
    }

    @Test
    void misuseIsRefused() {
        CkksTestKit k = CkksTestKit.n13();
        Ciphertext ct = k.encrypt(new double[] {1, 2, 3});
        NoiseFlooding f = NoiseFlooding.reproducible(k.ctx, k.keys.publicKey(), seed(7));
        assertThrows(IllegalArgumentException.class, () -> f.flood(k.eval.square(ct), 10));
        assertThrows(IllegalArgumentException.class, () -> f.flood(ct, -1));
        assertThrows(IllegalArgumentException.class, () -> f.flood(ct, 70));
        assertThrows(IllegalArgumentException.class, () -> f.flood(ct, Double.NaN));
        // 2^57 of flooding does not fit one 48-bit prime at level 0
        Ciphertext low = k.eval.dropToLevel(ct, 0);
        assertThrows(CkksException.ScaleOverflowException.class, () -> f.flood(low, 57));
        assertThrows(IllegalArgumentException.class, () -> FloodingDecryptor.sigmaFor(10, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> FloodingDecryptor.sigmaFor(10, 30, 0));
        assertThrows(IllegalArgumentException.class, () -> NoiseFlooding.circuitPrivacySigma(10, 0));
        assertEquals(10 + 40 - 1, NoiseFlooding.circuitPrivacySigma(10, 40), 0);
    }
}
