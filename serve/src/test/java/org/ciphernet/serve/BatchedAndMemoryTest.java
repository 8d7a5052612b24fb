package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.Dense;
import org.ciphernet.nn.model.Flatten;
import org.ciphernet.nn.model.Network;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.ciphernet.nn.model.Shape;
import org.ciphernet.nn.model.Square;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batched plan served (one query, many images), and the loaded-keys budget: with room for one
 * tenant's keys, the least recently used are unloaded and read again from disk when needed.
 */
class BatchedAndMemoryTest {
    @TempDir
    Path data;

    static Network tiny() {
        SplittableRandom r = new SplittableRandom(2);
        return Network.builder("tiny", new Shape(1, 4, 4)).layer("flatten", new Flatten())
                .layer("fc1", new Dense(16, 4, r.doubles(64, -0.3, 0.3).toArray(), new double[4])).layer("act", new Square())
                .layer("fc2", new Dense(4, 2, r.doubles(8, -0.5, 0.5).toArray(), new double[2])).build();
    }

    @Test
    void batchedQueriesAndAKeyBudgetOfOne() throws Exception {
        Network net = tiny();
        HePlan batched = Compiler.compile(net, CompileOptions.batched().withInputRange(0, 1));
        HePlan single = Compiler.compile(net, CompileOptions.singleImage().withInputRange(0, 1));
        HeClient a = HeClient.create(batched.clientSpec(), batched.context());
        HeClient b = HeClient.create(single.clientSpec(), single.context());
        HeClient c = HeClient.create(single.clientSpec(), single.context());
        long budget = b.evaluationKeys().sizeInBytes() * 3 / 2; // room for one single-image key set (and its weights), not two
        try (InferenceService service = InferenceService.start(ServeConfig.builder(data, Fixtures.tenants()).port(0)
                .model("tiny-batched", batched).model("tiny", single).keyMemoryBudget(budget).build())) {
            URI base = URI.create("http://127.0.0.1:" + service.port());
            InferenceClient alice = new InferenceClient(base, Fixtures.TOKEN_A);
            String ka = alice.uploadKeys("tiny-batched", a.evaluationKeys().toBytes(a.serialization()));
            double[][] images = new double[40][16];
            SplittableRandom r = new SplittableRandom(3);
            for (double[] im : images) {
                for (int j = 0; j < im.length; j++) {
                    im[j] = r.nextDouble();
                }
            }
            double[][] got = a.decryptBatch(alice.infer("tiny-batched", ka, a.encryptBatch(images), a.serialization()));
            assertEquals(images.length, got.length);
            for (int i = 0; i < images.length; i++) {
                double[] want = ReferenceEvaluator.evaluate(net, images[i]);
                for (int j = 0; j < want.length; j++) {
                    assertEquals(want[j], got[i][j], 1e-2, "image " + i);
                }
            }
            // two tenants' keys over a budget of one: each query still answered, the other's keys unloaded and reloaded
            InferenceClient bob = new InferenceClient(base, Fixtures.TOKEN_B);
            InferenceClient carol = new InferenceClient(base, Fixtures.TOKEN_C);
            String kb = bob.uploadKeys("tiny", b.evaluationKeys().toBytes(b.serialization()));
            String kc = carol.uploadKeys("tiny", c.evaluationKeys().toBytes(c.serialization()));
            for (int round = 0; round < 3; round++) {
                for (Object[] who : new Object[][] {{bob, b, kb}, {carol, c, kc}}) {
                    HeClient he = (HeClient) who[1];
                    EncryptedTensor answer = ((InferenceClient) who[0]).infer("tiny", (String) who[2], he.encrypt(images[round]),
                            he.serialization());
                    double[] want = ReferenceEvaluator.evaluate(net, images[round]);
                    double[] out = he.decrypt(answer);
                    for (int j = 0; j < want.length; j++) {
                        assertEquals(want[j], out[j], 1e-3);
                    }
                }
            }
            String metrics = MetricsText.metrics(base, Fixtures.TOKEN_A);
            double loaded = MetricsText.gauge(metrics, "ciphernet_keys_loaded_bytes");
            assertTrue(loaded <= budget, "loaded keys " + loaded + " within the budget " + budget);
            assertEquals(1.0, MetricsText.gauge(metrics, "ciphernet_keys_loaded"), "one key set loaded at a time");
        }
    }
}
