package org.ciphernet.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.ciphernet.nn.HeClient;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.nn.compiler.Compiler;
import org.ciphernet.nn.model.ReferenceEvaluator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from a keystore made by {@code keytool}, as the README tells an operator to make one: a
 * client that trusts the certificate runs the whole flow (models, key upload, a query); one that
 * does not is stopped in the handshake; the port does not answer in clear text.
 */
class TlsTest {
    @TempDir
    Path dir;

    @Test
    void servesHttpsFromAKeystoreAndNothingInClearText() throws Exception {
        char[] password = "test-keystore-password".toCharArray();
        Path keystore = keystore(dir.resolve("server.p12"), password);
        HePlan plan = Compiler.compile(BatchedAndMemoryTest.tiny(), CompileOptions.singleImage().withInputRange(0, 1));
        HeClient he = HeClient.create(plan.clientSpec(), plan.context());
        try (InferenceService service = InferenceService.start(ServeConfig.builder(dir.resolve("data"), Fixtures.tenants()).port(0)
                .model("tiny", plan).tls(keystore, password).build())) {
            URI https = URI.create("https://127.0.0.1:" + service.port());
            InferenceClient client = new InferenceClient(https, Fixtures.TOKEN_A, Duration.ofMinutes(2), trusting(keystore, password));
            assertEquals("tiny", client.models().get(0).get("name"));
            String keyId = client.uploadKeys("tiny", he.evaluationKeys().toBytes(he.serialization()));
            assertEquals(List.of(keyId), client.keys("tiny"));
            double[] image = new double[16];
            for (int i = 0; i < image.length; i++) {
                image[i] = (i % 5) / 4.0;
            }
            double[] got = he.decrypt(client.infer("tiny", keyId, he.encrypt(image), he.serialization()));
            double[] want = ReferenceEvaluator.evaluate(BatchedAndMemoryTest.tiny(), image);
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], got[j], 1e-3);
            }

            // a client without the certificate in its trust store: refused in the handshake, nothing sent
            InferenceClient untrusting = new InferenceClient(https, Fixtures.TOKEN_A, Duration.ofMinutes(1));
            IOException e = assertThrows(IOException.class, untrusting::models);
            assertTrue(e instanceof SSLHandshakeException || e.getCause() instanceof SSLHandshakeException, e.toString());

            // clear-text HTTP to the same port gets no answer of the service
            URI plain = URI.create("http://127.0.0.1:" + service.port() + "/v1/health");
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).timeout(Duration.ofSeconds(20))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertTrue(r.statusCode() >= 400 && !r.body().contains("\"up\""), "clear text answered: " + r.statusCode() + " " + r.body());
            } catch (IOException expected) {
                // the connection was closed: fine
            }
        }
    }

    /** A PKCS12 keystore with a self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    static Path keystore(Path file, char[] password) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "ciphernet", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype",
                "PKCS12", "-keystore", file.toString(), "-storepass", new String(password), "-keypass", new String(password),
                "-noprompt").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), "keytool: " + out);
        assertTrue(Files.size(file) > 0);
        return file;
    }

    /** An SSL context that trusts the keystore's certificate. */
    static SSLContext trusting(Path keystore, char[] password) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }
}
