package org.ciphernet.serve;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.HePlan;

/**
 * A client of {@link InferenceService}: fetches a model's plan, uploads evaluation keys once
 * (their id is their content hash, so uploading again is harmless), sends queries and receives
 * answers. Keys, encryption and decryption are the caller's ({@code HeClient}); the secret key never
 * leaves it. Errors the service sends come back as {@link ApiException}, with the service's
 * status, kind and message; a busy service's 503 is retried after the delay it asks for. Thread-safe (one
 * {@link HttpClient}).
 */
public final class InferenceClient {
    private static final Gson GSON = new Gson();
    private final HttpClient http;
    private final URI base;
    private final String token;
    private final Duration timeout;

    /** A client of the service at {@code base} ({@code http://127.0.0.1:8321}) with a bearer token. */
    public InferenceClient(URI base, String token) {
        this(base, token, Duration.ofMinutes(10));
    }

    /**
     * A client whose requests time out after {@code timeout}. An {@code https} service's certificate
     * is checked against the JDK's trust store (or the one named by {@code javax.net.ssl.trustStore}).
     */
    public InferenceClient(URI base, String token, Duration timeout) {
        this(base, token, timeout, HttpClient.newBuilder());
    }

    /**
     * A client of an {@code https} service whose certificate {@code tls} trusts (a private CA or a
     * self-signed certificate, say).
     */
    public InferenceClient(URI base, String token, Duration timeout, SSLContext tls) {
        this(base, token, timeout, HttpClient.newBuilder().sslContext(Objects.requireNonNull(tls, "tls")));
    }

    private InferenceClient(URI base, String token, Duration timeout, HttpClient.Builder http) {
        this.base = Objects.requireNonNull(base, "base");
        this.token = Objects.requireNonNull(token, "token");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.http = http.connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The hosted models, as the service describes them. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> models() throws IOException {
        return GSON.fromJson(new String(send(get("/v1/models")), StandardCharsets.UTF_8), List.class);
    }

    /** A model's plan. */
    public HePlan plan(String model) throws IOException {
        return HePlan.fromBytes(send(get("/v1/models/" + model + "/plan")));
    }

    /** Uploads a file of evaluation keys (streamed); returns their key id. */
    public String uploadKeys(String model, Path keys) throws IOException {
        return keyId(send(request("/v1/models/" + model + "/keys").POST(HttpRequest.BodyPublishers.ofFile(keys)).build()));
    }

    /** Uploads evaluation keys; returns their key id. */
    public String uploadKeys(String model, byte[] keys) throws IOException {
        return keyId(send(request("/v1/models/" + model + "/keys").POST(HttpRequest.BodyPublishers.ofByteArray(keys)).build()));
    }

    /** The ids of this tenant's keys for a model. */
    public List<String> keys(String model) throws IOException {
        List<?> list = GSON.fromJson(new String(send(get("/v1/models/" + model + "/keys")), StandardCharsets.UTF_8), List.class);
        return list.stream().map(o -> String.valueOf(((Map<?, ?>) o).get("keyId"))).toList();
    }

    /** Deletes keys. */
    public void deleteKeys(String model, String keyId) throws IOException {
        send(request("/v1/models/" + model + "/keys/" + keyId).DELETE().build());
    }

    /** Sends a serialized query; returns the serialized answer. */
    public byte[] infer(String model, String keyId, byte[] query) throws IOException {
        return send(request("/v1/models/" + model + "/keys/" + keyId + "/infer").POST(HttpRequest.BodyPublishers.ofByteArray(query))
                .build());
    }

    /** Sends a query; returns the answer. */
    public EncryptedTensor infer(String model, String keyId, EncryptedTensor query, org.ciphernet.ckks.Serialization ser)
            throws IOException {
        return EncryptedTensor.fromBytes(infer(model, keyId, query.toBytes(ser)), ser);
    }

    private static String keyId(byte[] response) {
        return GSON.fromJson(new String(response, StandardCharsets.UTF_8), JsonObject.class).get("keyId").getAsString();
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/octet-stream");
    }

    /**
     * Sends a request; a 503 with {@code Retry-After} (the service is busy) is retried after the
     * delay it names, with jitter, until the client's timeout. Every request of the API is safe to
     * repeat: uploads are idempotent, queries have no side effect.
     */
    private byte[] send(HttpRequest request) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<byte[]> r;
        try {
            while (true) {
                r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                java.util.Optional<String> retry = r.headers().firstValue("Retry-After");
                if (r.statusCode() != 503 || retry.isEmpty() || System.nanoTime() > deadline) {
                    break;
                }
                long seconds;
                try {
                    seconds = Math.max(1, Math.min(60, Long.parseLong(retry.get().strip())));
                } catch (NumberFormatException e) {
                    seconds = 1;
                }
                Thread.sleep(seconds * 1000 / 2 + java.util.concurrent.ThreadLocalRandom.current().nextLong(seconds * 1000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        if (r.statusCode() / 100 == 2) {
            return r.body();
        }
        String kind = "http_" + r.statusCode();
        String message = new String(r.body(), StandardCharsets.UTF_8);
        try {
            JsonObject o = GSON.fromJson(message, JsonObject.class);
            if (o != null && o.has("error")) {
                kind = o.get("error").getAsString();
                message = o.has("message") ? o.get("message").getAsString() : kind;
            }
        } catch (JsonParseException | IllegalStateException | UnsupportedOperationException ignored) {
            // not our JSON: keep the raw body
        }
        throw new ApiException(r.statusCode(), kind, message);
    }
}
