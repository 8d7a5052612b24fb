package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.AvgPool2d;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.plan.Operation;
import org.ciphernet.nn.plan.PlaintextCounts;
import org.ciphernet.nn.plan.PlanStep;
import org.junit.jupiter.api.Test;

/**
 * Repeated weights (issue 17, parameter clustering): a plan counts its plaintext operands and the
 * distinct ones ({@link HePlan#plaintexts()}), and a single-image or packed server encodes each
 * distinct diagonal once, with the same outputs, bit for bit, as a server that encodes every
 * diagonal as it runs.
 */
class PlaintextSharingTest {
    /** 2×2 average pooling of two 8×8 channels: every weight 1/4. */
    static Network pool() {
        return Network.builder("pool", new Shape(2, 8, 8)).layer("pool", new AvgPool2d(2, 2)).build();
    }

    /** A 4 → 2 dense layer with weights {1, 1, 2, 2} and {3, 3, 3, 3}: 3 distinct values, 3 per row in all. */
    static Network smallDense() {
        return Network.builder("dense", new Shape(4, 1, 1))
                .layer("flatten", new Flatten())
                .layer("fc", new Dense(4, 2, new double[] {1, 1, 2, 2, 3, 3, 3, 3}, new double[2]))
                .build();
    }

    @Test
    void batchedPlansCountTermsAndDistinctWeights() {
        // pooling: 32 outputs of 4 terms, all 1/4: one value per step, one per row
        assertEquals(new PlaintextCounts(0, 0, 128, 1, 32), Compiler.compile(pool(), CompileOptions.batched()).plaintexts());
        assertEquals(new PlaintextCounts(0, 0, 8, 3, 3), Compiler.compile(smallDense(), CompileOptions.batched()).plaintexts());
    }

    @Test
    void diagonalPlansCountEveryDiagonalAndTheDistinctOnes() {
        for (CompileOptions o : new CompileOptions[] {CompileOptions.singleImage(), CompileOptions.packed()}) {
            for (Network net : new Network[] {pool(), smallDense()}) {
                HePlan plan = Compiler.compile(net, o);
                long diagonals = 0;
                for (PlanStep s : plan.steps()) {
                    if (s.operation() instanceof Operation.DiagonalProduct d) {
                        diagonals += d.schedule().diagonals();
                    }
                }
                PlaintextCounts c = plan.plaintexts();
                assertEquals(diagonals, c.diagonals(), net.name() + " " + plan.mode());
                assertEquals(0, c.weightedTerms());
                assertTrue(c.distinctDiagonals() >= 1 && c.distinctDiagonals() < c.diagonals(),
                        net.name() + " " + plan.mode() + " repeats diagonals: " + c);
                // the counts come from the program: a plan read back from its file gives the same
                assertEquals(c, HePlan.fromBytes(plan.toBytes()).plaintexts());
            }
        }
        // 2×2 pooling of 8×8 channels: 8 diagonals, the 4 offsets' masks each used twice
        assertEquals(new PlaintextCounts(8, 4, 0, 0, 0), Compiler.compile(pool(), CompileOptions.singleImage()).plaintexts());
    }

    @Test
    void equalDiagonalsShareOnePlaintextAndGiveTheSameBits() {
        for (CompileOptions o : new CompileOptions[] {CompileOptions.singleImage(), CompileOptions.packed()}) {
            for (Network net : new Network[] {pool(), smallDense()}) {
                HePlan plan = Compiler.compile(net, o);
                HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
                int k = Math.min(3, plan.imagesPerCiphertext());
                double[][] x = new double[k][];
                for (int b = 0; b < k; b++) {
                    x[b] = TestNetworks.image(net.inputShape(), 40 + b);
                }
                EncryptedTensor in = plan.mode() == Mode.PACKED ? client.encryptBatch(x) : client.encrypt(x[0]);
                try (HeServer cached = new HeServer(plan, client.evaluationKeys(), 2, HeServer.DEFAULT_PLAINTEXT_CACHE);
                        HeServer onTheFly = new HeServer(plan, client.evaluationKeys(), 2, 0)) {
                    assertEquals(plan.plaintexts().distinctDiagonals(), cached.cachedPlaintexts(), net.name() + " " + plan.mode());
                    assertTrue(cached.cachedPlaintexts() < plan.plaintexts().diagonals());
                    assertEquals(0, onTheFly.cachedPlaintexts());
                    double[][] a = decrypt(client, cached.infer(in), plan);
                    double[][] b = decrypt(client, onTheFly.infer(in), plan);
                    for (int i = 0; i < a.length; i++) {
                        assertArrayEquals(b[i], a[i], net.name() + " " + plan.mode() + " image " + i + ": shared plaintexts change the bits");
                        EncryptedNetworksTest.assertClose(ReferenceEvaluator.evaluate(net, x[i]), a[i], net.name() + " image " + i);
                    }
                }
            }
        }
    }

    private static double[][] decrypt(HeClient client, EncryptedTensor out, HePlan plan) {
        return plan.mode() == Mode.PACKED ? client.decryptBatch(out) : new double[][] {client.decrypt(out)};
    }
}
