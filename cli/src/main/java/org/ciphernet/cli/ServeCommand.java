package org.ciphernet.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.ciphernet.nn.HePlan;
import org.ciphernet.nn.compiler.CompileOptions;
import org.ciphernet.serve.InferenceService;
import org.ciphernet.serve.ServeConfig;
import org.ciphernet.serve.Tenants;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ciphernet serve}: the encrypted-inference service ({@link InferenceService}) until it is
 * stopped (Ctrl-C or SIGTERM: requests in flight finish first, up to the grace period).
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serves encrypted inference over HTTP: hosts plans, keeps each tenant's evaluation keys (durable in --data),",
            "evaluates encrypted queries. Binds to loopback by default. Stop it with Ctrl-C or SIGTERM (requests in flight finish).",
            "Endpoints: /v1/health, /v1/ready, /v1/models[/{model}[/plan]], /v1/models/{model}/keys[/{keyId}[/infer]], /metrics."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--plan", description = "NAME=FILE.plan: host a plan file under NAME (repeatable)")
    Map<String, Path> plans = new LinkedHashMap<>();

    @Option(names = "--model", description = "NAME=FILE.onnx: compile a model (single image, inputs in [0, 1]) and host it (repeatable)")
    Map<String, Path> models = new LinkedHashMap<>();

    @Option(names = "--data", required = true, description = "folder of the tenants' keys (kept across restarts)")
    Path data;

    @Option(names = "--tokens", required = true, description = "file of 'token tenant' lines (one per line; # comments)")
    Path tokens;

    @Option(names = "--port", defaultValue = "8321", description = "port (default ${DEFAULT-VALUE}; 0: any free one)")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "address to listen on (default ${DEFAULT-VALUE}, loopback)")
    String bind;

    @Option(names = "--tls-keystore", description = "PKCS12 (.p12) or JKS (.jks) keystore: serve HTTPS; its password comes from "
            + "the environment variable CIPHERNET_TLS_PASSWORD")
    Path keystore;

    @Option(names = "--concurrent", description = "evaluations at once (default: one per core)")
    Integer concurrent;

    @Option(names = "--queue", description = "requests that may wait for an evaluation (default: 32 per core); more get 503")
    Integer queue;

    @Option(names = "--deadline-seconds", defaultValue = "120", description = "the longest a request waits for an evaluation "
            + "(default ${DEFAULT-VALUE})")
    int deadlineSeconds;

    @Option(names = "--key-memory-mib", description = "memory for loaded keys; the least recently used are unloaded beyond it "
            + "(default: half the heap)")
    Long keyMemoryMib;

    @Override
    public Integer call() throws IOException, InterruptedException {
        if (plans.isEmpty() && models.isEmpty()) {
            throw new UserError("host at least one plan: --plan NAME=FILE.plan or --model NAME=FILE.onnx");
        }
        CliFiles.requireReadable(tokens, "tokens");
        Tenants tenants;
        try {
            tenants = Tenants.read(tokens);
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        CliFiles.warnIfShared(tokens, System.err);
        ServeConfig.Builder b = ServeConfig.builder(data, tenants).host(bind).port(port)
                .deadline(Duration.ofSeconds(deadlineSeconds));
        List<String> hosted = new ArrayList<>();
        for (Map.Entry<String, Path> e : plans.entrySet()) {
            HePlan plan = PlanSource.read(e.getValue());
            b.model(e.getKey(), plan);
            hosted.add(e.getKey() + " = " + e.getValue() + " (plan " + plan.fingerprintHex() + ", " + plan.mode() + ")");
        }
        for (Map.Entry<String, Path> e : models.entrySet()) {
            if (plans.containsKey(e.getKey())) {
                throw new UserError("two models named " + e.getKey());
            }
            HePlan plan = PlanSource.compile(e.getValue(), CompileOptions.singleImage());
            b.model(e.getKey(), plan);
            hosted.add(e.getKey() + " = " + e.getValue() + " (compiled: plan " + plan.fingerprintHex() + ", " + plan.mode() + ")");
        }
        if (concurrent != null || queue != null) {
            int cores = Runtime.getRuntime().availableProcessors();
            b.evaluations(concurrent != null ? concurrent : cores, queue != null ? queue : 32 * cores);
        }
        if (keyMemoryMib != null) {
            b.keyMemoryBudget(keyMemoryMib << 20);
        }
        if (keystore != null) {
            CliFiles.requireReadable(keystore, "TLS keystore");
            String password = System.getenv("CIPHERNET_TLS_PASSWORD");
            if (password == null) {
                throw new UserError("--tls-keystore " + keystore + ": set its password in the environment variable CIPHERNET_TLS_PASSWORD");
            }
            b.tls(keystore, password.toCharArray());
        }
        ServeConfig config;
        try {
            config = b.build();
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage(), e);
        }
        InferenceService service = InferenceService.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("ciphernet serve: stopping (requests in flight finish first)");
            service.close();
            stopped.countDown();
        }));
        String scheme = keystore != null ? "https" : "http";
        System.out.println("ciphernet serve: listening on " + scheme + "://" + bind + ":" + service.port() + " for " + tenants.size()
                + " token(s); keys in " + data.toAbsolutePath());
        for (String h : hosted) {
            System.out.println("  model " + h);
        }
        System.out.flush();
        stopped.await();
        return 0;
    }
}
