package org.ciphernet.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.plan.Operation;
import org.junit.jupiter.api.Test;

/**
 * Batched plans whose squares, additions and aligns release their inputs element by element give
 * the plaintext network's answers, and the inspector still sees every step's whole output.
 */
class BatchedStreamingTest {
    @Test
    void streamedStepsGiveTheReferenceAnswersAndWholeOutputsToTheInspector() {
        Network net = TestNetworks.residual(4);
        HePlan plan = Compiler.compile(net, CompileOptions.batched());
        assertTrue(plan.steps().stream().anyMatch(s -> s.operation() instanceof Operation.Add), "the plan adds");
        assertTrue(plan.steps().stream().anyMatch(s -> s.operation() instanceof Operation.Align), "the plan aligns");
        HeClient client = HeClient.reproducible(plan.clientSpec(), plan.context(), new byte[32]);
        double[][] x = new double[3][];
        for (int b = 0; b < x.length; b++) {
            x[b] = TestNetworks.image(net.inputShape(), 70 + b);
        }
        try (HeServer server = new HeServer(plan, client.evaluationKeys(), 2, 0)) {
            HeServer.Result r = server.inferWithReport(client.encryptBatch(x), Inspector.againstBatch(client, net, x));
            int inspected = 0;
            for (RunReport.Row row : r.report().rows()) {
                if (row.maxError().isPresent()) {
                    inspected++;
                    assertTrue(row.maxError().getAsDouble() < 1e-2, row.layers() + ": " + row.maxError());
                }
            }
            assertTrue(inspected >= 3, "steps inspected: " + inspected);
            double[][] got = client.decryptBatch(r.output());
            for (int b = 0; b < x.length; b++) {
                double[] want = ReferenceEvaluator.evaluate(net, x[b]);
                assertEquals(want.length, got[b].length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[b][i], 1e-2 * Math.max(1, Math.abs(want[i])), "image " + b + " output " + i);
                }
            }
        }
    }
}
