package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.FloodingDecryptor;
import org.ciphernet.ckks.SecurityLevel;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

/**
 * Circuit privacy and safe decryption on a tiny network. The ring is chosen without the security
 * check ({@link SecurityLevel#NONE_INSECURE}, so N is small and the test takes seconds): the
 * flooding's sizing and its effect do not depend on it. A scale of 2^55 with 4 integer bits leaves
 * the evaluation about 30 bits of precision, enough to afford the flooding.
 */
class NoiseFloodingPlanTest {
    private static final Network NET = TestNetworks.quadraticWithZero(2);
    private static final CompileOptions BASE = CompileOptions.singleImage().withSecurity(SecurityLevel.NONE_INSECURE)
            .withIntegerBits(4).withScaleBits(55, 55).withInputRange(0, 1);

    private static double rms(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s / a.length);
    }

    /** The output's precision against the plaintext reference, in bits (−log2 of the largest error). */
    private static double bits(double[] expected, double[] got) {
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - got[i]));
        }
        return -Math.log(worst) / Math.log(2);
    }

    @Test
    void defaultPlansDoNotFloodAndLeaveOutputsUnchanged() {
        HePlan plan = Compiler.compile(NET, BASE);
        assertTrue(plan.report().flooding().isEmpty());
        assertTrue(plan.clientSpec().flooding().isEmpty());
        assertFalse(plan.report().toString().contains("noise flooding"));
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        EvaluationKeys keys = client.evaluationKeys();
        assertTrue(keys.publicKey().isEmpty(), "no public key travels when nothing floods");
        Serialization ser = client.serialization();
        // the key format without a public key is the earlier one (no trailing block)
        EvaluationKeys back = EvaluationKeys.fromBytes(keys.toBytes(ser), ser);
        assertTrue(back.publicKey().isEmpty());
        double[] x = TestNetworks.image(NET.inputShape(), 1);
        try (HeServer server = new HeServer(plan, keys)) {
            EncryptedTensor in = client.encrypt(x);
            EncryptedTensor a = server.infer(in);
            EncryptedTensor b = server.infer(in);
            // deterministic evaluation, no flooding: bit-identical outputs and decryptions
            assertArrayEquals(ser.write(a.ciphertexts().get(0)), ser.write(b.ciphertexts().get(0)));
            assertArrayEquals(client.decryptSlots(a.ciphertexts().get(0)), client.decryptSlots(b.ciphertexts().get(0)));
            double[] out = client.decrypt(a);
            double[] slots = client.decryptSlots(a.ciphertexts().get(0));
            int[] at = plan.clientSpec().outputSlots();
            for (int i = 0; i < at.length; i++) {
                assertEquals(Double.doubleToLongBits(slots[at[i]]), Double.doubleToLongBits(out[i]), "decrypt is not flooded");
            }
        }
        assertEquals(FloodingOptions.off(), CompileOptions.singleImage().flooding());
        assertEquals(FloodingOptions.off(), CompileOptions.batched().flooding());
    }

    @Test
    void circuitPrivacyFloodsTheOutputsWithinTheReportedPrecision() {
        HePlan plain = Compiler.compile(NET, BASE);
        HePlan plan = Compiler.compile(NET, BASE.circuitPrivacy(20));
        System.out.println(plan.report());
        FloodingBudget budget = plan.report().flooding().orElseThrow();
        assertEquals(0, budget.levels());
        assertTrue(budget.serverLog2Sigma().isPresent() && budget.decryptionLog2Sigma().isEmpty());
        assertEquals(budget.log2ErrorNorm() + 19, budget.serverLog2Sigma().getAsDouble(), 1e-9, "σ = 2^s·B/2");
        assertTrue(budget.bitsLost() > 19, "flooding at 2^-20 costs more than 19 bits, reported " + budget.bitsLost());
        assertTrue(plan.report().toString().contains("circuit privacy 2^-20"));
        assertEquals(plain.parameters(), plan.parameters(), "flooding costs no level");
        // client and server must agree on circuit privacy (the client sends the public key): it is in the fingerprint
        assertNotEquals(plain.fingerprint(), plan.fingerprint());

        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        EvaluationKeys keys = client.evaluationKeys();
        assertTrue(keys.publicKey().isPresent(), "the server needs the public key to flood");
        Serialization ser = client.serialization();
        EvaluationKeys back = EvaluationKeys.fromBytes(keys.toBytes(ser), ser);
        assertTrue(back.publicKey().isPresent());
        assertThrows(CkksException.MissingKeyException.class,
                () -> new HeServer(plan, new EvaluationKeys(keys.relinearization(), keys.galois(), keys.keyId())));

        double sigma = Math.pow(2, budget.serverLog2Sigma().getAsDouble());
        double expected = sigma * Math.sqrt(plan.context().degree() / 2.0) / plan.clientSpec().outputScale();
        // the same keys, not tied to the flooded plan, for the unflooded one (same parameters and rotations)
        EvaluationKeys plainKeys = new EvaluationKeys(keys.relinearization(), keys.galois(), keys.keyId());
        try (HeServer flooding = new HeServer(plan, back); HeServer unflooded = new HeServer(plain, plainKeys)) {
            for (long seed = 1; seed <= 3; seed++) {
                double[] x = TestNetworks.image(NET.inputShape(), seed);
                EncryptedTensor in = client.encrypt(x);
                // the same ciphertexts, labelled for the unflooded plan (same parameters and layout)
                EncryptedTensor inPlain = new EncryptedTensor(in.ciphertexts(), in.images(), in.kind(), plain.fingerprint(),
                        in.keyId());
                double[] ref = client.decryptSlots(unflooded.infer(inPlain).ciphertexts().get(0));
                EncryptedTensor out1 = flooding.infer(in);
                double[] f1 = client.decryptSlots(out1.ciphertexts().get(0));
                double[] f2 = client.decryptSlots(flooding.infer(in).ciphertexts().get(0));
                // the flooding changes every slot by about its planned width, and differently each time
                double moved = rms(f1, ref);
                double between = rms(f1, f2);
                System.out.printf("circuit privacy: slot deviation %.3e (planned %.3e), two floodings differ by %.3e%n", moved,
                        expected, between);
                assertTrue(moved > 0.8 * expected && moved < 1.25 * expected, moved + " vs " + expected);
                assertTrue(between > 0.8 * Math.sqrt(2) * expected && between < 1.25 * Math.sqrt(2) * expected, between + "");
                // and the answers keep the reported precision against the plaintext network
                double got = bits(ReferenceEvaluator.evaluate(NET, x), client.decrypt(out1));
                System.out.printf("circuit privacy: output precision %.1f bits (reported %.1f)%n", got, budget.precisionBits());
                assertTrue(got >= budget.precisionBits(), got + " bits < reported " + budget.precisionBits());
            }
        }
    }

    @Test
    void safeDecryptionAddsTheDocumentedNoiseWithinTheReportedPrecision() {
        HePlan plan = Compiler.compile(NET, BASE.safeDecryption(30, 16));
        System.out.println(plan.report());
        FloodingBudget budget = plan.report().flooding().orElseThrow();
        assertTrue(budget.serverLog2Sigma().isEmpty());
        double log2Sigma = budget.decryptionLog2Sigma().getAsDouble();
        assertEquals(FloodingDecryptor.sigmaFor(budget.log2ErrorMax(), 30, 16), log2Sigma, 1e-12);
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        EvaluationKeys keys = client.evaluationKeys();
        assertTrue(keys.publicKey().isEmpty(), "safe decryption alone needs no key at the server");
        int slots = plan.context().slots();
        double expected = Math.pow(2, log2Sigma) * Math.sqrt(plan.context().degree() / 2.0) / plan.clientSpec().outputScale();
        try (HeServer server = new HeServer(plan, keys)) {
            double[] x = TestNetworks.image(NET.inputShape(), 4);
            EncryptedTensor out = server.infer(client.encrypt(x));
            double[] exact = client.decryptSlots(out.ciphertexts().get(0));
            // every output slot gets fresh noise of the documented width: collect many decryptions
            int[] at = plan.clientSpec().outputSlots();
            int rounds = Math.max(1, 2048 / at.length);
            double sum = 0;
            int count = 0;
            double worst = Double.MAX_VALUE;
            double[] ref = ReferenceEvaluator.evaluate(NET, x);
            for (int r = 0; r < rounds; r++) {
                double[] got = client.decrypt(out);
                for (int i = 0; i < at.length; i++) {
                    double d = got[i] - exact[at[i]];
                    sum += d * d;
                    count++;
                }
                worst = Math.min(worst, bits(ref, got));
            }
            double measured = Math.sqrt(sum / count);
            System.out.printf("safe decryption: slot deviation %.3e (documented %.3e over %d samples, %d slots); worst precision "
                    + "%.1f bits (reported %.1f)%n", measured, expected, count, slots, worst, budget.precisionBits());
            assertTrue(measured > 0.85 * expected && measured < 1.15 * expected, measured + " vs " + expected);
            assertTrue(worst >= budget.precisionBits(), worst + " bits < reported " + budget.precisionBits());
        }
    }

    @Test
    void aPlanThatCannotAffordTheFloodingIsRefused() {
        // at the default scale 2^40 the evaluation keeps about 20 bits: 2^-40 of circuit privacy cannot fit
        FloodingNotAffordableException e = assertThrows(FloodingNotAffordableException.class,
                () -> Compiler.compile(NET, BASE.withScaleBits(30, 40).withIntegerBits(10).circuitPrivacy(40)));
        System.out.println(e.getMessage());
        assertTrue(e.getMessage().contains("precision") || e.getMessage().contains("does not fit"), e.getMessage());
        assertTrue(e.getMessage().contains("larger scale"), e.getMessage());
        // a precision floor above what the flooding leaves is refused too
        FloodingNotAffordableException floor = assertThrows(FloodingNotAffordableException.class, () -> Compiler.compile(NET,
                BASE.withFlooding(FloodingOptions.off().withSafeDecryption(30, 16).withMinPrecisionBits(25))));
        assertTrue(floor.getMessage().contains("below the floor of 25 bits"), floor.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BASE.circuitPrivacy(-1));
        assertThrows(IllegalArgumentException.class, () -> BASE.safeDecryption(30, 0));
    }
}
