package org.ciphernet.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.function.IntFunction;
import java.util.function.ObjIntConsumer;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.junit.jupiter.api.Test;

/**
 * The harness's encrypted pass through a {@link RemotePass} (as {@code harness --spark} runs it):
 * the pass sees only the plan, the evaluation keys and the queries, each asked for once, and the
 * harness decrypts what it hands back. Here the pass is an {@link HeServer} in this JVM.
 */
class RemotePassTest {
    @Test
    void anEncryptedPassElsewhereAgreesWithThePlaintextModel() throws Exception {
        int[] asked = new int[1];
        RemotePass inMemory = new RemotePass() {
            @Override
            public String name() {
                return "an in-memory server";
            }

            @Override
            public double evaluate(HePlan plan, EvaluationKeys keys, int count, IntFunction<EncryptedTensor> query,
                    ObjIntConsumer<EncryptedTensor> answer, Progress progress) {
                long t0 = System.nanoTime();
                try (HeServer server = new HeServer(plan, keys)) {
                    for (int i = 0; i < count; i++) {
                        asked[0]++;
                        answer.accept(server.infer(query.apply(i)), i);
                    }
                }
                return (System.nanoTime() - t0) / 1e6;
            }
        };
        Path testdata = Path.of("..", "testdata");
        Harness.Options options = new Harness.Options(3, false, 1).withRemote(inMemory);
        CaseResult r = Harness.evaluate(Manifest.model(Manifest.models(testdata), "cryptonets"), testdata, options, Progress.none());
        assertEquals(3, asked[0], "one query per image, each asked for once");
        assertEquals(3, r.encryptedImages());
        assertTrue(r.agrees(), "agreement " + r.agreement());
        assertTrue(r.maxLogitError() < 0.05, "logit error " + r.maxLogitError());
        assertTrue(r.parameters().contains("through an in-memory server"), r.parameters());
        assertTrue(r.layers().isEmpty(), "no step inspected");
    }
}
