package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input: over 10,000 mutated bodies across the endpoints (queries, keys, paths), each answered
 * with a 4xx naming the problem, the service alive and its heap bounded afterwards; named
 * refusals (a secret key sent as evaluation keys, a wrong image count, an answer sent as a query);
 * oversized bodies refused with 413 before they are read. A tiny network keeps each request cheap.
 */
class BadInputTest {
    static final int MUTATIONS = 10_000;
    static Network net;
    static HePlan plan;
    static HeClient he;
    static InferenceService service;
    static URI base;
    static String keyId;
    static byte[] keys;
    static byte[] query;
    static double[] image;

    @TempDir
    static Path data;

    @BeforeAll
    static void start() throws Exception {
        SplittableRandom r = new SplittableRandom(1);
        double[] w = r.doubles(64 * 4, -0.3, 0.3).toArray();
        double[] w2 = r.doubles(4 * 2, -0.5, 0.5).toArray();
        net = Network.builder("tiny", new Shape(1, 8, 8)).layer("flatten", new Flatten())
                .layer("fc1", new Dense(64, 4, w, new double[4])).layer("act", new Square())
                .layer("fc2", new Dense(4, 2, w2, new double[2])).build();
        plan = Compiler.compile(net, CompileOptions.singleImage().withInputRange(0, 1));
        service = InferenceService.start(ServeConfig.builder(data, Fixtures.tenants()).port(0).model("tiny", plan).build());
        base = URI.create("http://127.0.0.1:" + service.port());
        he = HeClient.create(plan.clientSpec(), plan.context());
        keys = he.evaluationKeys().toBytes(he.serialization());
        keyId = new InferenceClient(base, Fixtures.TOKEN_A).uploadKeys("tiny", keys);
        image = r.doubles(64, 0, 1).toArray();
        query = he.encrypt(image).toBytes(he.serialization());
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    @Test
    void tenThousandMutatedBodiesGet4xxAndTheServiceStaysUp() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        SplittableRandom r = new SplittableRandom(42);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        System.gc();
        long heapBefore = usedHeap();
        String infer = "/v1/models/tiny/keys/" + keyId + "/infer";
        for (int i = 0; i < MUTATIONS; i++) {
            int pick = r.nextInt(100);
            String path;
            byte[] body;
            if (pick < 70) {
                path = infer;
                body = mutate(query, r);
            } else if (pick < 76) {
                path = "/v1/models/tiny/keys";
                body = r.nextBoolean() ? Arrays.copyOf(keys, r.nextInt(keys.length)) : mutate(keys, r);
            } else if (pick < 88) {
                path = r.nextBoolean() ? "/v1/models/" + junk(r) + "/keys/" + keyId + "/infer" : "/v1/models/tiny/keys/" + junk(r) + "/infer";
                body = r.nextBoolean() ? query : mutate(query, r);
            } else {
                path = "/v1/models/tiny/keys";
                body = random(r, r.nextInt(1 << 16));
            }
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(base.resolve(path))
                    .header("Authorization", "Bearer " + Fixtures.TOKEN_A).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            int status = resp.statusCode();
            if (status == 200 || status == 201) {
                // a mutation that left the bytes valid (e.g. a flip in a ciphertext's noise): answered, fine
                outcomes.merge("2xx", 1, Integer::sum);
                continue;
            }
            assertTrue(status >= 400 && status < 500, "mutation " + i + " on " + path + ": status " + status + " " + resp.body());
            assertTrue(resp.body().contains("\"message\""), "a message names the problem: " + resp.body());
            outcomes.merge(status + " " + kind(resp.body()), 1, Integer::sum);
        }
        System.out.println("outcomes of " + MUTATIONS + " mutated requests: " + outcomes);
        assertTrue(outcomes.getOrDefault("2xx", 0) < MUTATIONS / 10, "most mutations are refused: " + outcomes);
        // alive, still right, and its heap bounded
        assertEquals(200, http.send(HttpRequest.newBuilder(base.resolve("/v1/health")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        InferenceClient c = new InferenceClient(base, Fixtures.TOKEN_A);
        double[] got = he.decrypt(EncryptedTensor.fromBytes(c.infer("tiny", keyId, query), he.serialization()));
        double[] want = ReferenceEvaluator.evaluate(net, image);
        for (int j = 0; j < want.length; j++) {
            assertEquals(want[j], got[j], 1e-3);
        }
        System.gc();
        long grown = usedHeap() - heapBefore;
        assertTrue(grown < 256L << 20, "the heap grew by " + (grown >> 20) + " MiB over the mutated requests");
    }

    @Test
    void namedRefusals() throws Exception {
        InferenceClient c = new InferenceClient(base, Fixtures.TOKEN_A);
        // a secret key sent as evaluation keys
        byte[] secret = he.serialization().write(he.secretKey());
        ApiException e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> c.uploadKeys("tiny", secret));
        assertEquals("secret_key", e.kind());
        assertTrue(c.keys("tiny").size() == 1, "nothing was stored");
        // a query claiming two images in a single-image plan
        EncryptedTensor q = he.encrypt(image);
        EncryptedTensor two = new EncryptedTensor(q.ciphertexts(), 2, q.kind(), q.planFingerprint(), q.keyId());
        e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> c.infer("tiny", keyId, two.toBytes(he.serialization())));
        assertEquals(400, e.status());
        // an answer sent back as a query
        byte[] answer = c.infer("tiny", keyId, query);
        e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class, () -> c.infer("tiny", keyId, answer));
        assertEquals("not_a_query", e.kind());
        // a query under another key pair than the keys named
        HeClient other = HeClient.create(plan.clientSpec(), plan.context());
        e = org.junit.jupiter.api.Assertions.assertThrows(ApiException.class,
                () -> c.infer("tiny", keyId, other.encrypt(image).toBytes(other.serialization())));
        assertEquals(409, e.status());
    }

    @Test
    void oversizedBodiesGet413WithoutBeingRead() throws Exception {
        for (String path : List.of("/v1/models/tiny/keys/" + keyId + "/infer", "/v1/models/tiny/keys")) {
            long t0 = System.nanoTime();
            try (Socket s = new Socket("127.0.0.1", service.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                // declares a terabyte and sends none of it: the answer must come anyway
                out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + Fixtures.TOKEN_A
                        + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                InputStream in = s.getInputStream();
                String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 413", status, path);
            }
            assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused at once");
        }
    }

    @Test
    void aQueryCutShortOfItsDeclaredLengthIsRefusedAndTheServiceGoesOn() throws Exception {
        try (Socket s = new Socket("127.0.0.1", service.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/models/tiny/keys/" + keyId + "/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + Fixtures.TOKEN_A + "\r\nContent-Type: application/octet-stream\r\nContent-Length: " + query.length
                    + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(query, 0, query.length / 2);
            out.flush();
            s.shutdownOutput(); // the body ends at half its declared length
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(answer.startsWith("HTTP/1.1 400") && answer.contains("broken_upload"), answer);
        }
        double[] got = he.decrypt(new InferenceClient(base, Fixtures.TOKEN_A).infer("tiny", keyId, he.encrypt(image),
                he.serialization()));
        double[] want = ReferenceEvaluator.evaluate(net, image);
        for (int j = 0; j < want.length; j++) {
            assertEquals(want[j], got[j], 1e-3);
        }
    }

    static byte[] mutate(byte[] valid, SplittableRandom r) {
        byte[] b;
        switch (r.nextInt(5)) {
            case 0 -> { // flip a few bytes anywhere
                b = valid.clone();
                for (int k = 1 + r.nextInt(8); k > 0; k--) {
                    b[r.nextInt(b.length)] ^= (byte) (1 + r.nextInt(255));
                }
            }
            case 1 -> b = Arrays.copyOf(valid, r.nextInt(valid.length)); // truncated
            case 2 -> { // the header mangled
                b = valid.clone();
                for (int k = 0; k < 4; k++) {
                    b[r.nextInt(Math.min(64, b.length))] = (byte) r.nextInt(256);
                }
            }
            case 3 -> { // trailing garbage
                b = Arrays.copyOf(valid, valid.length + 1 + r.nextInt(1024));
                for (int k = valid.length; k < b.length; k++) {
                    b[k] = (byte) r.nextInt(256);
                }
            }
            default -> b = random(r, r.nextInt(4096)); // not ours at all (or empty)
        }
        return b;
    }

    static byte[] random(SplittableRandom r, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    static String junk(SplittableRandom r) {
        String alphabet = "abcdef0123456789-_.%";
        StringBuilder s = new StringBuilder();
        for (int i = r.nextInt(1, 80); i > 0; i--) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString().replace("%", "%25");
    }

    static String kind(String body) {
        int i = body.indexOf("\"error\":\"");
        return i < 0 ? "?" : body.substring(i + 9, body.indexOf('"', i + 9));
    }

    static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
