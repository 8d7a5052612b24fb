package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real service on loopback hosting two plans for three tenants: 50 queries per tenant in
 * parallel, every decrypted class the plaintext model's; tenants kept apart; tokens required.
 */
class ServiceEndToEndTest {
    static final int REQUESTS = 50;
    static Fixtures.Model cryptonets;
    /** The second plan: CryptoNets trained with another seed (another plan; as cheap per query as the first). */
    static Fixtures.Model seed2;
    static InferenceService service;
    static URI base;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        cryptonets = Fixtures.model("cryptonets", "mnist", CompileOptions.singleImage());
        seed2 = Fixtures.model("cryptonets-seed2", "mnist", CompileOptions.singleImage());
        service = InferenceService.start(ServeConfig.builder(data, Fixtures.tenants()).port(0)
                .model("cryptonets", cryptonets.plan()).model("cryptonets-seed2", seed2.plan()).build());
        base = URI.create("http://127.0.0.1:" + service.port());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    /** A tenant's session with one model: plan fetched from the service, keys made and uploaded. */
    record Session(InferenceClient client, String model, HeClient he, String keyId, Fixtures.Model fixture) {
        static Session open(String token, Fixtures.Model fixture) throws Exception {
            InferenceClient c = new InferenceClient(base, token);
            HePlan plan = c.plan(fixture.name());
            assertEquals(fixture.plan().fingerprint(), plan.fingerprint(), "the served plan is the hosted one");
            HeClient he = HeClient.create(plan.clientSpec(), plan.context());
            byte[] keys = he.evaluationKeys().toBytes(he.serialization());
            String id = c.uploadKeys(fixture.name(), keys);
            assertEquals(id, c.uploadKeys(fixture.name(), keys), "uploading the same keys again gives the same id");
            return new Session(c, fixture.name(), he, id, fixture);
        }

        /** Encrypts test image i, has the service evaluate it, decrypts the class. */
        int classify(int i) throws Exception {
            EncryptedTensor q = he.encrypt(fixture.test().images()[i]);
            EncryptedTensor a = client.infer(model, keyId, q, he.serialization());
            return org.ciphernet.harness.Harness.argmax(he.decrypt(a));
        }
    }

    @Test
    void threeTenantsTwoPlansFiftyQueriesEachInParallel() throws Exception {
        List<Session> sessions = List.of(Session.open(Fixtures.TOKEN_A, cryptonets), Session.open(Fixtures.TOKEN_B, seed2),
                Session.open(Fixtures.TOKEN_C, cryptonets), Session.open(Fixtures.TOKEN_C, seed2));
        int[] perSession = {REQUESTS, REQUESTS, REQUESTS / 2, REQUESTS / 2}; // carol's 50 over both plans
        List<Future<int[]>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int s = 0; s < sessions.size(); s++) {
                Session session = sessions.get(s);
                for (int i = 0; i < perSession[s]; i++) {
                    int image = i;
                    results.add(pool.submit(() -> new int[] {session.classify(image), session.fixture().plainClass(image)}));
                }
            }
            for (Future<int[]> f : results) {
                int[] r = f.get();
                assertEquals(r[1], r[0], "the encrypted class is the plaintext model's");
            }
        }
        assertEquals(2 * REQUESTS + 2 * (REQUESTS / 2), results.size());
        String metrics = get("/metrics", Fixtures.TOKEN_A).body();
        assertTrue(metrics.contains("ciphernet_inference_seconds_count{model=\"cryptonets\"}"), metrics);
        assertTrue(metrics.contains("http_server_requests_seconds_bucket"), "latency histograms");
    }

    @Test
    void aTenantSeesAndUsesOnlyItsOwnKeys() throws Exception {
        Session alice = Session.open(Fixtures.TOKEN_A, cryptonets);
        InferenceClient bob = new InferenceClient(base, Fixtures.TOKEN_B);
        assertFalse(bob.keys("cryptonets").contains(alice.keyId()), "bob does not see alice's keys");
        byte[] query = alice.he().encrypt(cryptonets.test().images()[0]).toBytes(alice.he().serialization());
        ApiException e = assertThrows(ApiException.class,
                () -> bob.infer("cryptonets", alice.keyId(), query));
        assertEquals(404, e.status());
        assertEquals("unknown_key", e.kind());
        assertThrows(ApiException.class, () -> bob.deleteKeys("cryptonets", alice.keyId()));
        assertTrue(alice.client().keys("cryptonets").contains(alice.keyId()), "bob could not delete them");
    }

    @Test
    void theModelsAreListedWithWhatAClientNeeds() throws Exception {
        List<Map<String, Object>> models = new InferenceClient(base, Fixtures.TOKEN_A).models();
        assertEquals(List.of("cryptonets", "cryptonets-seed2"), models.stream().map(m -> m.get("name")).toList());
        Map<String, Object> m = models.get(0);
        assertEquals(cryptonets.plan().fingerprintHex(), m.get("planFingerprint"));
        assertEquals("SINGLE_IMAGE", m.get("mode"));
        assertEquals(List.of(1.0, 28.0, 28.0), m.get("inputShape"), "JSON numbers: channels, height, width");
        assertEquals(784.0, m.get("inputSize"));
        assertEquals(10.0, m.get("outputSize"));
        assertTrue(String.valueOf(m.get("parameters")).contains("logN=14"), String.valueOf(m.get("parameters")));
        assertTrue(((Number) m.get("keyBytes")).longValue() > 0 && ((Number) m.get("maxQueryBytes")).longValue() > 0);
    }

    @Test
    void withoutAValidTokenOnlyHealthAnswers() throws Exception {
        assertEquals(200, get("/v1/health", null).statusCode());
        assertEquals(200, get("/v1/ready", null).statusCode());
        for (String path : List.of("/v1/models", "/v1/models/cryptonets/plan", "/metrics", "/v1/nothing-here")) {
            assertEquals(401, get(path, null).statusCode(), path + " without a token");
            assertEquals(401, get(path, "a-wrong-token-of-some-length").statusCode(), path + " with a wrong token");
        }
        assertEquals(404, get("/v1/models/nope/plan", Fixtures.TOKEN_A).statusCode());
    }

    @Test
    void deletedKeysAreGone() throws Exception {
        Session s = Session.open(Fixtures.TOKEN_B, cryptonets);
        s.client().deleteKeys("cryptonets", s.keyId());
        assertFalse(s.client().keys("cryptonets").contains(s.keyId()));
        ApiException e = assertThrows(ApiException.class, () -> s.classify(0));
        assertEquals("unknown_key", e.kind());
        assertArrayEquals(new byte[0], new byte[0]);
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).GET();
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
