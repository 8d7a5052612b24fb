package org.ciphernet.ckks;

import java.util.SplittableRandom;

/** Shared fixtures: one context and key set per parameter set, reused across tests (keygen is slow). */
final class CkksTestKit {
    final CkksContext ctx;
    final KeyGenerator keys;
    final Encoder encoder;
    final Encryptor encryptor;
    final Encryptor symmetric;
    final Decryptor decryptor;
    final Evaluator eval;
    final WeightedSums sums;
    final RelinearizationKey rk;

    CkksTestKit(CkksParameters params, byte seedByte) {
        ctx = CkksContext.create(params);
        byte[] seed = new byte[32];
        java.util.Arrays.fill(seed, seedByte);
        keys = KeyGenerator.reproducible(ctx, seed);
        encoder = new Encoder(ctx);
        encryptor = Encryptor.withPublicKey(ctx, keys.publicKey());
        symmetric = Encryptor.withSecretKey(ctx, keys.secretKey());
        decryptor = new Decryptor(ctx, keys.secretKey());
        eval = new Evaluator(ctx);
        sums = new WeightedSums(ctx);
        rk = keys.relinearizationKey();
    }

    private static CkksTestKit n13;

    /** N = 2^13, Q = 46 + 3×40, P = 48 (the 128-bit preset, log QP = 214). */
    static synchronized CkksTestKit n13() {
        if (n13 == null) {
            n13 = new CkksTestKit(CkksParameters.presetN13Depth3(), (byte) 7);
        }
        return n13;
    }

    static double[] random(SplittableRandom rnd, int n, double bound) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextDouble() * 2 - 1) * bound;
        }
        return v;
    }

    Ciphertext encrypt(double[] v) {
        return encryptor.encrypt(encoder.encode(v));
    }

    double[] decrypt(Ciphertext c) {
        return encoder.decode(decryptor.decrypt(c));
    }

    /** Asserts at least {@code minBits} bits of precision and prints the measured figure. */
    static void assertBits(double minBits, double[] expected, double[] actual, String what) {
        double b = bits(expected, actual);
        System.out.printf("precision %-40s %5.1f bits (bound %.1f)%n", what, b, minBits);
        org.junit.jupiter.api.Assertions.assertTrue(b >= minBits,
                what + ": " + String.format("%.1f", b) + " bits < " + minBits);
    }

    /** Bits of precision: -log2 of the largest absolute error. */
    static double bits(double[] expected, double[] actual) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        return worst == 0 ? 60 : -Math.log(worst) / Math.log(2);
    }
}
