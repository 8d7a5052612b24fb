package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.ciphernet.harness.Harness;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.compiler.CompileOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability with real processes: a server stopped with SIGTERM answers the queries in flight before
 * it exits; keys uploaded to one server process are served by the next one on
 * the same data folder without a new upload; a server killed (SIGKILL) during evaluations,
 * restarted, answers the retried queries correctly; an upload the client breaks off leaves no key
 * and no partial file behind.
 */
class RestartAndCrashTest {
    @TempDir
    Path dir;

    /** Every server process started, killed after the test whatever its outcome. */
    private final List<Process> started = new ArrayList<>();

    @org.junit.jupiter.api.AfterEach
    void killServers() {
        started.forEach(Process::destroyForcibly);
    }

    @Test
    void gracefulStopsFinishQueriesKeysSurviveRestartsAndCrashesBrokenUploadsLeaveNothing() throws Exception {
        Fixtures.Model cn = Fixtures.model("cryptonets", "mnist", CompileOptions.singleImage());
        Path planFile = Files.write(dir.resolve("cryptonets.plan"), cn.plan().toBytes());
        Path data = dir.resolve("data");
        HeClient he = HeClient.create(cn.plan().clientSpec(), cn.plan().context());
        byte[] keys = he.evaluationKeys().toBytes(he.serialization());

        Process p1 = start(data, planFile, "p1");
        InferenceClient c1 = client(p1, "p1");
        String keyId = c1.uploadKeys("cryptonets", keys);
        assertEquals(cn.plainClass(0), classify(c1, he, keyId, cn, 0));

        // a client that breaks off an upload halfway: no key, no partial file
        try (Socket s = new Socket("127.0.0.1", port("p1"))) {
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/models/cryptonets/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + Fixtures.TOKEN_B
                    + "\r\nContent-Length: " + keys.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(keys, 0, keys.length / 2);
            out.flush();
        }
        Thread.sleep(1000);
        assertEquals(List.of(), client(p1, "p1", Fixtures.TOKEN_B).keys("cryptonets"), "the broken upload left no key");
        assertEquals(List.of(), leftovers(data), "and no partial file");

        // a graceful stop (SIGTERM) while six queries are inside the server (one evaluating, five queued): every
        // one is answered, correctly, some of them after the signal
        int[] images = {20, 21, 22, 23, 24, 25};
        List<EncryptedTensor> queries = new ArrayList<>();
        for (int image : images) {
            queries.add(he.encrypt(cn.test().images()[image])); // encrypted first, so that all arrive together
        }
        List<Future<Long>> answeredAt = new ArrayList<>();
        long stopAt;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < images.length; i++) {
                int image = images[i];
                EncryptedTensor query = queries.get(i);
                answeredAt.add(pool.submit(() -> {
                    EncryptedTensor a = c1.infer("cryptonets", keyId, query, he.serialization());
                    assertEquals(cn.plainClass(image), Harness.argmax(he.decrypt(a)), "image " + image);
                    return System.nanoTime();
                }));
            }
            URI base = URI.create("http://127.0.0.1:" + port("p1"));
            for (long until = System.nanoTime() + 60_000_000_000L; ; ) {
                String m = MetricsText.metrics(base, Fixtures.TOKEN_A);
                if (MetricsText.gauge(m, "ciphernet_evaluations_active") + MetricsText.gauge(m, "ciphernet_evaluations_waiting")
                        >= images.length) {
                    break;
                }
                assertTrue(System.nanoTime() < until, "the queries did not all reach the server in 60 s: " + m);
                Thread.sleep(5);
            }
            stopAt = System.nanoTime();
            p1.destroy();
            long last = 0;
            for (Future<Long> f : answeredAt) {
                last = Math.max(last, f.get()); // an ExecutionException here: a query cut off by the stop
            }
            assertTrue(last > stopAt, "a query was still being evaluated when the signal came");
        }
        assertEquals(true, p1.waitFor(60, java.util.concurrent.TimeUnit.SECONDS), "the stopped server exits");

        // a new process on the same folder: the key id works without uploading again
        Process p2 = start(data, planFile, "p2");
        InferenceClient c2 = client(p2, "p2");
        assertEquals(cn.plainClass(1), classify(c2, he, keyId, cn, 1));

        // killed during evaluations: the queries that got no answer are retried on the restarted server
        List<Future<Integer>> inFlight = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 8; i++) {
                int image = 10 + i;
                inFlight.add(pool.submit(() -> classify(c2, he, keyId, cn, image)));
            }
            Thread.sleep(300);
            p2.destroyForcibly();
            p2.waitFor();
            Process p3 = start(data, planFile, "p3");
            InferenceClient c3 = client(p3, "p3");
            int retried = 0;
            for (int i = 0; i < inFlight.size(); i++) {
                int image = 10 + i;
                int got;
                try {
                    got = inFlight.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    assertTrue(e.getCause() instanceof IOException, "the kill cut the connection: " + e.getCause());
                    got = classify(c3, he, keyId, cn, image);
                    retried++;
                }
                assertEquals(cn.plainClass(image), got, "image " + image);
            }
            assertTrue(retried > 0, "the kill happened while queries were in flight");
            p3.destroy();
            p3.waitFor(60, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    static int classify(InferenceClient c, HeClient he, String keyId, Fixtures.Model m, int image) throws IOException {
        EncryptedTensor a = c.infer("cryptonets", keyId, he.encrypt(m.test().images()[image]), he.serialization());
        return Harness.argmax(he.decrypt(a));
    }

    private Process start(Path data, Path plan, String name) throws Exception {
        Path portFile = dir.resolve(name + ".port");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx2g", "-D" + TestServer.CONCURRENT + "=1", "-cp", System.getProperty("java.class.path"),
                TestServer.class.getName(), data.toString(), portFile.toString(), "cryptonets=" + plan)
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile());
        Process p = pb.start();
        started.add(p);
        for (int i = 0; i < 600 && !Files.exists(portFile); i++) {
            assertTrue(p.isAlive(), "server " + name + " died: " + Files.readString(dir.resolve(name + ".log")));
            Thread.sleep(100);
        }
        assertTrue(Files.exists(portFile), "server " + name + " did not start in 60 s");
        return p;
    }

    private int port(String name) throws IOException {
        return Integer.parseInt(Files.readString(dir.resolve(name + ".port")).strip());
    }

    private InferenceClient client(Process p, String name) throws IOException {
        return client(p, name, Fixtures.TOKEN_A);
    }

    private InferenceClient client(Process p, String name, String token) throws IOException {
        return new InferenceClient(URI.create("http://127.0.0.1:" + port(name)), token);
    }

    /** Files under the data folder that are neither keys nor their records. */
    static List<String> leftovers(Path data) throws IOException {
        try (Stream<Path> files = Files.walk(data)) {
            return files.filter(Files::isRegularFile).map(f -> f.getFileName().toString())
                    .filter(n -> !n.endsWith(".keys") && !n.endsWith(".json")).toList();
        }
    }
}
