package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ExampleNetworks;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;

/** The CryptoNets network end to end, single-image and batched, against the plaintext reference. */
class CryptoNetsTest {
    static final Network NET = ExampleNetworks.cryptoNets(1);

    static double[] image(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[784];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextDouble();
        }
        return x;
    }

    @Test
    void singleImage() {
        HePlan plan = Compiler.compile(NET, CompileOptions.singleImage());
        System.out.println(plan.report());
        assertEquals(5, plan.depth());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        try (HeServer server = new HeServer(plan, client.evaluationKeys())) {
            double[] x = image(3);
            HeServer.Result r = server.inferWithReport(client.encrypt(x), Inspector.against(client, NET, x));
            System.out.println(r.report());
            double[] got = client.decrypt(r.output());
            double[] expected = ReferenceEvaluator.evaluate(NET, x);
            assertClose(expected, got, 1e-3);
        }
    }

    @Test
    void batched() {
        HePlan plan = Compiler.compile(NET, CompileOptions.batched());
        System.out.println(plan.report());
        assertEquals(5, plan.depth());
        assertTrue(plan.report().rotationSteps().isEmpty());
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        double[][] images = new double[7][];
        for (int b = 0; b < images.length; b++) {
            images[b] = image(100 + b);
        }
        try (HeServer server = new HeServer(plan, client.evaluationKeys(), 2, 0)) {
            HeServer.Result r = server.inferWithReport(client.encryptBatch(images), Inspector.againstBatch(client, NET, images));
            System.out.println(r.report());
            // small primes: every prime below 2^32 (the split-weight kernel), the output one level up
            for (int i = 0; i <= plan.context().maxLevel(); i++) {
                assertTrue(plan.context().qPrime(i) < (1L << 32), "prime " + i);
            }
            assertEquals(1, r.output().ciphertexts().get(0).level());
            double[][] got = client.decryptBatch(r.output());
            for (int b = 0; b < images.length; b++) {
                assertClose(ReferenceEvaluator.evaluate(NET, images[b]), got[b], 1e-3);
            }
        }
    }

    @Test
    void batchedPlanBeyondTheHeapIsRefusedBeforeRunning() {
        HePlan plan = Compiler.compile(NET, CompileOptions.batched());
        HeServer.checkMemory(plan, 2, 64L << 30); // fits 64 GiB
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> HeServer.checkMemory(plan, 2, 1L << 30));
        assertTrue(e.getMessage().contains("GiB of ciphertexts at step") && e.getMessage().contains("-Xmx"), e.getMessage());
    }

    static void assertClose(double[] expected, double[] got, double tol) {
        assertEquals(expected.length, got.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], tol * Math.max(1, Math.abs(expected[i])), "output " + i);
        }
    }
}
