package org.ciphernet.serve;

import com.google.gson.Gson;
import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.ciphernet.ckks.CkksException;
import org.ciphernet.ckks.Serialization;
import org.ciphernet.nn.EncryptedTensor;
import org.ciphernet.nn.EvaluationKeys;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.HeServer;
import org.ciphernet.nn.MismatchedTensorException;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The encrypted-inference service: hosts compiled plans, keeps the tenants' evaluation keys
 * ({@link KeyVault}, durable; {@link LoadedServers}, in memory within a budget) and evaluates
 * queries behind an {@link EvaluationGate}. Endpoints (JSON for metadata, Ciphernet's own
 * serialization for plans, keys and tensors):
 *
 * <pre>
 * GET    /v1/health                               up (no token needed)
 * GET    /v1/ready                                plans loaded (no token needed)
 * GET    /v1/models                               the hosted models
 * GET    /v1/models/{model}/plan                  the plan file: all a client needs for keys and queries
 * POST   /v1/models/{model}/keys                  evaluation keys → {"keyId": ..., "created": ...}
 * GET    /v1/models/{model}/keys                  the tenant's keys for the model
 * DELETE /v1/models/{model}/keys/{keyId}          forget them
 * POST   /v1/models/{model}/keys/{keyId}/infer    query → answer
 * GET    /metrics                                 Prometheus text format
 * </pre>
 *
 * Every other endpoint needs {@code Authorization: Bearer <token>}; a tenant sees and uses only its
 * own keys. Every refusal is a 4xx with {@code {"error": kind, "message": ...}}; the service logs
 * no key material and no tensors.
 */
public final class InferenceService implements AutoCloseable {
    private static final Gson GSON = new com.google.gson.GsonBuilder().disableHtmlEscaping().create();
    private static final String BINARY = "application/octet-stream";
    /** Refused bodies up to this size are read and dropped, so the connection stays usable (see {@link #refuse}). */
    private static final long DRAIN_LIMIT = 64L << 20;
    private final ServeConfig config;
    private final Map<String, HostedModel> models = new LinkedHashMap<>();
    private final KeyVault vault;
    private final LoadedServers servers;
    private final EvaluationGate gate;
    private final ServiceMetrics metrics;
    private final Javalin app;

    private InferenceService(ServeConfig config) throws IOException {
        this.config = config;
        config.models().forEach((name, plan) -> models.put(name, HostedModel.of(name, plan)));
        this.vault = new KeyVault(config.dataDir());
        this.servers = new LoadedServers(config.keyMemoryBudget());
        this.gate = new EvaluationGate(config.concurrentEvaluations(), config.queuedEvaluations());
        this.metrics = new ServiceMetrics(gate, servers);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.jetty.host = config.host();
            c.jetty.port = config.port();
            c.concurrency.useVirtualThreads = true;
            c.http.compressionStrategy = CompressionStrategy.NONE; // ciphertexts do not compress
            c.jetty.modifyServer(server -> {
                server.setStopTimeout(config.shutdownGrace().toMillis()); // Jetty's default, 0, cuts requests off
                server.insertHandler(new GracefulHandler());
            });
            config.tls().ifPresent(tls -> c.jetty.addConnector((server, http) -> {
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setKeyStorePath(tls.keystore().toString());
                ssl.setKeyStorePassword(new String(tls.password()));
                ssl.setKeyStoreType(tls.keystore().toString().endsWith(".jks") ? "JKS" : "PKCS12");
                http.addCustomizer(new SecureRequestCustomizer(false));
                ServerConnector connector = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                        new HttpConnectionFactory(http));
                connector.setHost(config.host());
                connector.setPort(config.port());
                return connector;
            }));
            c.routes.before(this::authorize);
            c.routes.get("/v1/health", ctx -> json(ctx, 200, Map.of("status", "up")));
            c.routes.get("/v1/ready", ctx -> json(ctx, 200, Map.of("ready", true, "models", models.size())));
            c.routes.get("/v1/models", ctx -> json(ctx, 200, models.values().stream().map(HostedModel::describe).toList()));
            c.routes.get("/v1/models/{model}", ctx -> json(ctx, 200, model(ctx).describe()));
            c.routes.get("/v1/models/{model}/plan", ctx -> ctx.contentType(BINARY).result(model(ctx).planBytes()));
            c.routes.post("/v1/models/{model}/keys", this::upload);
            c.routes.get("/v1/models/{model}/keys", this::listKeys);
            c.routes.delete("/v1/models/{model}/keys/{key}", this::deleteKeys);
            c.routes.post("/v1/models/{model}/keys/{key}/infer", this::infer);
            c.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
            c.routes.exception(ApiException.class, (e, ctx) -> refuse(ctx, e.status(), e.kind(), e.getMessage()));
            c.routes.exception(HttpResponseException.class, (e, ctx) -> refuse(ctx, e.getStatus(),
                    e.getStatus() == 404 ? "not_found" : "http_" + e.getStatus(), e.getMessage()));
            c.routes.exception(Exception.class, (e, ctx) -> {
                System.err.println("ciphernet serve: internal error on " + ctx.method() + " " + ctx.path() + ": " + e);
                refuse(ctx, 500, "internal", "internal error (" + e.getClass().getSimpleName() + "); the service goes on");
            });
            c.requestLogger.http((ctx, ms) -> {
                var endpoint = ctx.endpoints().lastHttpEndpoint();
                metrics.request(ctx.method().name(), endpoint == null ? "unmatched" : endpoint.path, ctx.statusCode(), ms);
            });
        });
    }

    /**
     * Starts a service: reads the keys folder (removing what interrupted uploads left) and listens.
     *
     * @throws IOException if the data folder cannot be used
     */
    public static InferenceService start(ServeConfig config) throws IOException {
        InferenceService s = new InferenceService(config);
        s.app.start();
        return s;
    }

    /** The port it listens on. */
    public int port() {
        return app.port();
    }

    /** The hosted models' names. */
    public List<String> models() {
        return List.copyOf(models.keySet());
    }

    /** Stops listening, lets requests in flight finish (up to the configured grace), unloads the keys. */
    @Override
    public void close() {
        app.stop();
        servers.closeAll();
    }

    private void authorize(Context ctx) {
        String path = ctx.path();
        if (path.equals("/v1/health") || path.equals("/v1/ready")) {
            return;
        }
        String header = ctx.header("Authorization");
        Optional<String> tenant = config.tenants().tenant(header);
        if (tenant.isEmpty()) {
            throw new ApiException(401, "unauthorized", header == null ? "send Authorization: Bearer <token>"
                    : "the bearer token is not known");
        }
        ctx.attribute("tenant", tenant.get());
    }

    private static String tenant(Context ctx) {
        return ctx.attribute("tenant");
    }

    private HostedModel model(Context ctx) {
        HostedModel m = models.get(ctx.pathParam("model"));
        if (m == null) {
            throw ApiException.notFound("unknown_model", "no model named '" + clip(ctx.pathParam("model")) + "'; hosted: " + models.keySet());
        }
        return m;
    }

    private KeyVault.Entry key(Context ctx, HostedModel m) {
        String id = ctx.pathParam("key");
        KeyVault.Entry e = vault.entry(tenant(ctx), id).orElseThrow(() -> ApiException.notFound("unknown_key",
                "no evaluation keys with id '" + clip(id) + "' for this tenant: upload them first"));
        if (e.planFingerprint() != m.plan().fingerprint()) {
            throw new ApiException(409, "mismatch", "the keys " + id + " were made for another plan (plan "
                    + java.util.HexFormat.of().toHexDigits(e.planFingerprint()) + "), model " + m.name() + " is plan "
                    + m.plan().fingerprintHex());
        }
        return e;
    }

    /** Refuses a body whose declared length exceeds {@code max} before reading any of it. */
    private static void declaredAtMost(Context ctx, long max, String what) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > max) {
            throw new ApiException(413, "too_large", what + " of " + declared + " bytes: this model takes at most " + max);
        }
    }

    private void upload(Context ctx) {
        HostedModel m = model(ctx);
        declaredAtMost(ctx, m.maxKeyBytes(), "evaluation keys");
        String tenant = tenant(ctx);
        KeyVault.Upload u;
        try (InputStream body = ctx.bodyInputStream()) {
            u = vault.store(tenant, body, m.maxKeyBytes(), (file, bytes, id) -> checkKeys(tenant, m, file, id));
        } catch (IOException e) { // closing the body
            throw new ApiException(400, "broken_upload", "the upload broke off: " + e.getMessage());
        }
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("keyId", u.entry().id());
        r.put("created", u.created());
        r.put("bytes", u.entry().bytes());
        r.put("model", m.name());
        json(ctx, u.created() ? 201 : 200, r);
    }

    /** Parses and checks uploaded keys against the model, and loads them (the first query will need them). */
    private long checkKeys(String tenant, HostedModel m, java.nio.file.Path file, String id) {
        try (EvaluationGate.Permit permit = gate.enter(config.deadline())) { // parsing takes the keys' size in memory
            return checkKeysAdmitted(tenant, m, file, id);
        }
    }

    private long checkKeysAdmitted(String tenant, HostedModel m, java.nio.file.Path file, String id) {
        HePlan plan = m.plan();
        EvaluationKeys keys;
        try {
            if (Serialization.isSecretKey(ByteBuffer.wrap(head(file, 16)))) {
                throw ApiException.badRequest("secret_key", "these bytes are a secret key: never send it; send evaluation.keys");
            }
            keys = EvaluationKeys.read(file, new Serialization(plan.context())); // large files mapped, not copied into the heap
        } catch (CkksException e) {
            throw ApiException.badRequest("corrupted", "not evaluation keys of this model: " + e.getMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        LoadedServers.Loaded loaded;
        try {
            loaded = server(plan, keys);
        } catch (CkksException | IllegalStateException e) {
            throw new ApiException(409, "mismatch", "the keys do not fit model " + m.name() + ": " + e.getMessage());
        }
        servers.lease(serverKey(tenant, id), () -> loaded).close();
        return plan.fingerprint();
    }

    private void listKeys(Context ctx) {
        HostedModel m = model(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (KeyVault.Entry e : vault.list(tenant(ctx))) {
            if (e.planFingerprint() == m.plan().fingerprint()) {
                out.add(Map.of("keyId", e.id(), "bytes", e.bytes(), "uploaded", e.uploaded()));
            }
        }
        json(ctx, 200, out);
    }

    private void deleteKeys(Context ctx) {
        HostedModel m = model(ctx);
        KeyVault.Entry e = key(ctx, m);
        vault.delete(tenant(ctx), e.id());
        servers.remove(serverKey(tenant(ctx), e.id()));
        ctx.status(204);
    }

    private void infer(Context ctx) {
        HostedModel m = model(ctx);
        KeyVault.Entry e = key(ctx, m);
        declaredAtMost(ctx, m.maxQueryBytes(), "a query");
        String tenant = tenant(ctx);
        try (EvaluationGate.Permit permit = gate.enter(config.deadline())) {
            byte[] body;
            try (InputStream in = new LimitedInputStream(ctx.bodyInputStream(), m.maxQueryBytes())) {
                body = readBody(in, ctx.req().getContentLengthLong());
            } catch (IOException ex) {
                throw new ApiException(400, "broken_upload", "the query broke off: " + ex.getMessage());
            }
            Serialization ser = new Serialization(m.plan().context());
            EncryptedTensor query;
            try {
                query = EncryptedTensor.fromBytes(body, ser);
            } catch (CkksException ex) {
                throw ApiException.badRequest("corrupted", "not a query: " + ex.getMessage());
            }
            if (query.kind() != EncryptedTensor.Kind.QUERY) {
                throw ApiException.badRequest("not_a_query", "the body is an encrypted " + query.kind().name().toLowerCase(Locale.ROOT)
                        + ", not a query");
            }
            try (LoadedServers.Lease lease = servers.lease(serverKey(tenant, e.id()), () -> load(tenant, e, m))) {
                long t0 = System.nanoTime();
                EncryptedTensor answer = lease.server().infer(query);
                metrics.evaluation(m.name(), System.nanoTime() - t0);
                ctx.contentType(BINARY).result(answer.toBytes(ser));
            } catch (MismatchedTensorException ex) {
                throw new ApiException(409, "mismatch", ex.getMessage());
            } catch (IllegalArgumentException ex) {
                throw ApiException.badRequest("invalid_query", ex.getMessage());
            }
        }
    }

    /** Loads a tenant's keys from disk into a server (after a restart, or after they were unloaded). */
    private LoadedServers.Loaded load(String tenant, KeyVault.Entry e, HostedModel m) {
        HePlan plan = m.plan();
        try {
            return server(plan, EvaluationKeys.read(vault.file(tenant, e.id()), new Serialization(plan.context())));
        } catch (IOException ex) {
            throw new UncheckedIOException("keys " + e.id() + " of tenant " + tenant + " cannot be read: " + ex.getMessage(), ex);
        }
    }

    /**
     * A request body: of its declared length (at most the model's limit, checked before) read straight into one
     * array, or, without a declared length, read to its end.
     */
    private static byte[] readBody(InputStream in, long declared) throws IOException {
        if (declared < 0) {
            return in.readAllBytes();
        }
        byte[] body = new byte[(int) declared]; // not readNBytes(int), which gathers chunks and copies them again
        int read = in.readNBytes(body, 0, body.length);
        if (read < body.length) {
            throw new IOException("the body ended after " + read + " of its declared " + declared + " bytes");
        }
        return body;
    }

    /** Up to {@code n} bytes from the start of a file. */
    private static byte[] head(java.nio.file.Path file, int n) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(n);
        }
    }

    /**
     * A server of one evaluation thread (the gate runs one per core) and its memory: the keys, and
     * each encoded weight at the top level (an upper bound).
     */
    private static LoadedServers.Loaded server(HePlan plan, EvaluationKeys keys) {
        HeServer server = new HeServer(plan, keys, 1, HeServer.DEFAULT_PLAINTEXT_CACHE);
        long plaintext = (1L << plan.parameters().logN()) * 8 * plan.parameters().qBits().size();
        return new LoadedServers.Loaded(server, keys.sizeInBytes() + server.cachedPlaintexts() * plaintext);
    }

    private static String serverKey(String tenant, String id) {
        return tenant + "/" + id;
    }

    private void refuse(Context ctx, int status, String kind, String message) {
        metrics.error(kind);
        if (status == 503) {
            ctx.header("Retry-After", "1");
        }
        long declared = ctx.req().getContentLengthLong();
        if (declared != 0 && !"GET".equals(ctx.method().name())) {
            // A body refused before it was read: a client still sending it would lose this answer if the connection
            // closed under it. Bodies up to DRAIN_LIMIT are read and dropped; larger or oversized ones close it.
            if (status == 413 || declared < 0 || declared > DRAIN_LIMIT || !drain(ctx)) {
                ctx.header("Connection", "close");
            }
        }
        json(ctx, status, Map.of("error", kind, "message", message == null ? kind : message));
    }

    /** Reads and drops what is left of a request body; false if that failed. */
    private static boolean drain(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType("application/json").result(GSON.toJson(body));
    }

    /** A client-supplied string, shortened for messages. */
    private static String clip(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
