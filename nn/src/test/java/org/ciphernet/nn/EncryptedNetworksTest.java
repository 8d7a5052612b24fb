package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

/**
 * Random small networks, encrypted, against the plaintext reference. Tolerance: outputs agree
 * within 2^-12 (absolute, for outputs of magnitude ≤ 1; relative beyond). Measured errors are about
 * 2^-18…2^-22 at scale 2^40 (printed per step by the run reports below), so the bound has margin for
 * encryption randomness while any real mistake (a wrong diagonal, level or scale) fails it by far.
 */
class EncryptedNetworksTest {
    static final double TOLERANCE = 0x1p-12;

    static void checkSingle(Network net, CompileOptions options) {
        checkSingle(Compiler.compile(net, options), net);
    }

    static void checkSingle(HePlan plan, Network net) {
        System.out.println(plan.report());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            for (long seed = 1; seed <= 2; seed++) {
                double[] x = TestNetworks.image(net.inputShape(), seed);
                HeServer.Result r = server.inferWithReport(client.encrypt(x), Inspector.against(client, net, x));
                if (seed == 1) {
                    System.out.println(r.report());
                }
                assertClose(ReferenceEvaluator.evaluate(net, x), client.decrypt(r.output()), net.name());
            }
        }
    }

    static void checkBatched(Network net, int images) {
        HePlan plan = Compiler.compile(net, CompileOptions.batched());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        double[][] x = new double[images][];
        for (int b = 0; b < images; b++) {
            x[b] = TestNetworks.image(net.inputShape(), 10 + b);
        }
        try (HeServer server = new HeServer(plan, client.evaluationKeys(), 2, 0)) {
            double[][] got = client.decryptBatch(server.infer(client.encryptBatch(x)));
            for (int b = 0; b < images; b++) {
                assertClose(ReferenceEvaluator.evaluate(net, x[b]), got[b], net.name() + " image " + b);
            }
        }
    }

    /**
     * A packed plan: k images side by side, every one's outputs equal to the plaintext network's,
     * for a full ciphertext and one with an image fewer; the plan survives its file format.
     */
    static void checkPacked(Network net) {
        HePlan plan = HePlan.fromBytes(Compiler.compile(net, CompileOptions.packed()).toBytes());
        int k = plan.imagesPerCiphertext();
        assertTrue(k >= 2, net.name() + " packs " + k + " image(s): " + plan.report());
        assertEquals(k, plan.report().imagesPerCiphertext());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        try (HeServer server = new HeServer(plan, client.evaluationKeys(), 2, HeServer.DEFAULT_PLAINTEXT_CACHE)) {
            for (int n : new int[] {k, k - 1}) {
                double[][] x = new double[n][];
                for (int b = 0; b < n; b++) {
                    x[b] = TestNetworks.image(net.inputShape(), 20 + b);
                }
                double[][] got = client.decryptBatch(server.infer(client.encryptBatch(x)));
                assertEquals(n, got.length);
                for (int b = 0; b < n; b++) {
                    assertClose(ReferenceEvaluator.evaluate(net, x[b]), got[b], net.name() + " packed image " + b + " of " + n);
                }
            }
            double[] one = TestNetworks.image(net.inputShape(), 40);
            assertClose(ReferenceEvaluator.evaluate(net, one), client.decrypt(server.infer(client.encrypt(one))), net.name() + " alone");
        }
    }

    @Test
    void packedPlansServeSeveralImagesPerCiphertext() {
        for (Network net : List.of(TestNetworks.convBnQuadPoolDense(1), TestNetworks.sharedSource(3), TestNetworks.residual(4),
                TestNetworks.stridedStack(6), TestNetworks.quadraticSkips(5), TestNetworks.mixedLayoutAdd(7),
                org.ciphernet.nn.model.ExampleNetworks.cryptoNets(1))) {
            checkPacked(net);
        }
    }

    static void assertClose(double[] expected, double[] got, String what) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], TOLERANCE * Math.max(1, Math.abs(expected[i])), what + " output " + i);
        }
    }

    @Test
    void convStridePaddingBatchNormQuadraticPoolDense() {
        checkSingle(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage());
        checkSingle(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage().withIm2col(false));
        checkBatched(TestNetworks.convBnQuadPoolDense(1), 5);
    }

    @Test
    void quadraticWithZeroLeadingCoefficient() {
        checkSingle(TestNetworks.quadraticWithZero(2), CompileOptions.singleImage());
        checkBatched(TestNetworks.quadraticWithZero(2), 3);
    }

    @Test
    void sharedSourceSkipsWithDiracAndProjection() {
        checkSingle(TestNetworks.sharedSource(3), CompileOptions.singleImage());
        checkBatched(TestNetworks.sharedSource(3), 3);
    }

    @Test
    void multiplexedLayoutsForStridedLayers() {
        // every layout variant of strided networks, whichever the compiler would pick
        for (Network net : List.of(TestNetworks.stridedStack(6), TestNetworks.sharedSource(3), TestNetworks.convBnQuadPoolDense(1),
                TestNetworks.mixedLayoutAdd(7))) {
            for (boolean multiplex : new boolean[] {false, true}) {
                checkSingle(Compiler.compile(net, CompileOptions.singleImage().withIm2col(false)
                        .withStridedLayout(multiplex ? CompileOptions.StridedLayout.MULTIPLEXED : CompileOptions.StridedLayout.FLAT)), net);
            }
        }
        checkSingle(TestNetworks.stridedStack(6), CompileOptions.singleImage());
        checkBatched(TestNetworks.stridedStack(6), 3);
    }

    @Test
    void skipsWithNegativeQuadraticsAndFreeNegations() {
        checkSingle(TestNetworks.quadraticSkips(5), CompileOptions.singleImage());
        checkBatched(TestNetworks.quadraticSkips(5), 3);
    }

    @Test
    void referenceResidualBlocks() {
        checkSingle(TestNetworks.residual(4), CompileOptions.singleImage());
    }

    @Test
    void composedRotationsUnderATightKeyBudget() {
        checkSingle(TestNetworks.convBnQuadPoolDense(1), CompileOptions.singleImage().withMaxKeyBytes(1));
    }

    @Test
    void clientAndServerExchangeOnlyBytes() {
        Network net = TestNetworks.convBnQuadPoolDense(5);
        HePlan serverPlan = Compiler.compile(net, CompileOptions.singleImage());
        // the client side: its own context from the spec, fresh secure keys
        HeClient client = HeClient.create(serverPlan.clientSpec());
        byte[] keyBytes = client.evaluationKeys().toBytes(client.serialization());
        double[] x = TestNetworks.image(net.inputShape(), 9);
        byte[] inBytes = client.encrypt(x).toBytes(client.serialization());
        // the server side
        Serialization ser = new Serialization(serverPlan.context());
        byte[] outBytes;
        try (HeServer server = new HeServer(serverPlan, EvaluationKeys.fromBytes(keyBytes, ser))) {
            outBytes = server.infer(EncryptedTensor.fromBytes(inBytes, ser)).toBytes(ser);
        }
        assertClose(ReferenceEvaluator.evaluate(net, x), client.decrypt(EncryptedTensor.fromBytes(outBytes, client.serialization())), "round trip");
        // corrupted bytes are refused with a clear exception
        byte[] bad = inBytes.clone();
        bad[0] ^= 1;
        assertThrows(CkksException.SerializationException.class, () -> EncryptedTensor.fromBytes(bad, ser));
        byte[] cut = java.util.Arrays.copyOf(inBytes, inBytes.length / 2);
        assertThrows(CkksException.SerializationException.class, () -> EncryptedTensor.fromBytes(cut, ser));
        byte[] badKeys = java.util.Arrays.copyOf(keyBytes, keyBytes.length - 3);
        assertThrows(CkksException.SerializationException.class, () -> EvaluationKeys.fromBytes(badKeys, ser));
    }

    @Test
    void misuseIsRejected() {
        Network net = TestNetworks.convBnQuadPoolDense(1);
        HePlan plan = Compiler.compile(net, CompileOptions.singleImage());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        EvaluationKeys keys = client.evaluationKeys();
        // keys without one of the plan's rotations
        int missing = plan.clientSpec().rotationSteps().get(0);
        int[] fewer = plan.clientSpec().rotationSteps().stream().mapToInt(Integer::intValue).filter(s -> s != missing).toArray();
        HeClient other = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[] {
            1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
        EvaluationKeys partial = new EvaluationKeys(keys.relinearization(),
                org.ciphernet.ckks.KeyGenerator.reproducible(plan.context(), new byte[32]).galoisKeys(fewer, false), keys.keyId());
        CkksException.MissingKeyException e = assertThrows(CkksException.MissingKeyException.class, () -> new HeServer(plan, partial));
        assertTrue(e.getMessage().contains("step " + missing), e.getMessage());
        assertThrows(CkksException.MissingKeyException.class,
                () -> new HeServer(plan, new EvaluationKeys(java.util.Optional.empty(), keys.galois(), keys.keyId())));
        // keys with every step, but made for level 0 only
        int[] all = plan.clientSpec().rotationSteps().stream().mapToInt(Integer::intValue).toArray();
        EvaluationKeys lowKeys = new EvaluationKeys(keys.relinearization(),
                org.ciphernet.ckks.KeyGenerator.reproducible(plan.context(), new byte[32]).galoisKeys(all, new int[all.length], false), keys.keyId());
        CkksException.MissingKeyException tooLow = assertThrows(CkksException.MissingKeyException.class, () -> new HeServer(plan, lowKeys));
        assertTrue(tooLow.getMessage().contains("made for levels up to 0"), tooLow.getMessage());
        // keys of other parameters
        HePlan batched = Compiler.compile(TestNetworks.quadraticWithZero(2), CompileOptions.batched()
                .withParameters(org.ciphernet.ckks.CkksParameters.forDepth(14, 4, 40, 20, 2)));
        HeClient foreign = HeClient.reproducible(batched.clientSpec(), batched.context(), new byte[32]);
        assertThrows(CkksException.ParameterMismatchException.class,
                () -> new HeServer(plan, new EvaluationKeys(keys.relinearization(), foreign.evaluationKeys().galois(), keys.keyId())));
        try (HeServer server = new HeServer(plan, keys)) {
            // an input at the wrong level, or of the wrong count, or from another client's context
            double[] x = TestNetworks.image(net.inputShape(), 1);
            EncryptedTensor good = client.encrypt(x);
            org.ciphernet.ckks.Evaluator ev = new org.ciphernet.ckks.Evaluator(plan.context());
            EncryptedTensor low = good.with(List.of(ev.dropToLevel(good.ciphertexts().get(0), 1)), EncryptedTensor.Kind.QUERY);
            assertThrows(CkksException.LevelException.class, () -> server.infer(low));
            assertThrows(IllegalArgumentException.class,
                    () -> server.infer(good.with(List.of(good.ciphertexts().get(0), good.ciphertexts().get(0)), EncryptedTensor.Kind.QUERY)));
            assertThrows(CkksException.ParameterMismatchException.class,
                    () -> server.infer(good.with(List.of(foreign.encryptBatch(new double[][] {
                        TestNetworks.image(TestNetworks.quadraticWithZero(2).inputShape(), 1)}).ciphertexts().get(0)),
                        EncryptedTensor.Kind.QUERY)));
            // images of the wrong size or with NaN
            assertThrows(IllegalArgumentException.class, () -> client.encrypt(new double[3]));
            double[] nan = x.clone();
            nan[4] = Double.NaN;
            assertThrows(IllegalArgumentException.class, () -> client.encrypt(nan));
            assertThrows(IllegalStateException.class, () -> client.encryptBatch(new double[][] {x}));
            assertTrue(other.evaluationKeys().sizeInBytes() > 0);
        }
    }
}
