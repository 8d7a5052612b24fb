package org.ciphernet.serve;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.ciphernet.nn.HePlan;

/**
 * How a service runs: the plans it hosts by name, its data folder (the tenants' keys), the tenants'
 * tokens, where it listens, and its limits. Loopback by default; TLS when a keystore is given.
 *
 * @param models the hosted plans by name, in the order they are listed
 * @param dataDir where keys are kept (survives restarts)
 * @param tenants the bearer tokens and their tenants
 * @param host the address to bind ({@code 127.0.0.1} by default)
 * @param port the port (0: any free one; {@link InferenceService#port()} tells which)
 * @param tls a PKCS12 or JKS keystore and its password, for HTTPS
 * @param concurrentEvaluations evaluations that run at once
 * @param queuedEvaluations evaluations that may wait for a slot; more get 503 at once
 * @param deadline the longest a request waits for a slot (then 503)
 * @param keyMemoryBudget memory for loaded keys and encoded weights; beyond it the least recently used are unloaded
 * @param shutdownGrace the longest a shutdown waits for requests in flight
 */
public record ServeConfig(Map<String, HePlan> models, Path dataDir, Tenants tenants, String host, int port, Optional<Tls> tls,
        int concurrentEvaluations, int queuedEvaluations, Duration deadline, long keyMemoryBudget, Duration shutdownGrace) {
    /** A keystore for HTTPS. */
    public record Tls(Path keystore, char[] password) {
        /** Checks the values. */
        public Tls {
            Objects.requireNonNull(keystore, "keystore");
            password = password.clone();
        }
    }

    /** Checks the values. */
    public ServeConfig {
        models.forEach((name, plan) -> Objects.requireNonNull(plan, () -> "the plan of model " + name));
        models = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(models)); // listed in the order given
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(tenants, "tenants");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (models.isEmpty()) {
            throw new IllegalArgumentException("host at least one plan");
        }
        if (port < 0 || port > 65535 || concurrentEvaluations < 1 || queuedEvaluations < 0 || keyMemoryBudget < 0) {
            throw new IllegalArgumentException("port 0-65535, at least one concurrent evaluation, non-negative queue and budget");
        }
    }

    /** The defaults for these plans, folder and tenants: loopback, any port, see {@link Builder}. */
    public static Builder builder(Path dataDir, Tenants tenants) {
        return new Builder(dataDir, tenants);
    }

    /**
     * Builds a configuration. Defaults: {@code 127.0.0.1}, port 8321, no TLS, one evaluation per
     * core at once and 32 per core waiting (a waiting request holds a connection, not its body), a 120 s deadline, half the heap for loaded keys, 30 s
     * for requests in flight at shutdown.
     */
    public static final class Builder {
        private final Map<String, HePlan> models = new LinkedHashMap<>();
        private final Path dataDir;
        private final Tenants tenants;
        private String host = "127.0.0.1";
        private int port = 8321;
        private Optional<Tls> tls = Optional.empty();
        private int concurrent = Runtime.getRuntime().availableProcessors();
        private int queued = 32 * Runtime.getRuntime().availableProcessors();
        private Duration deadline = Duration.ofSeconds(120);
        private long budget = Runtime.getRuntime().maxMemory() / 2;
        private Duration grace = Duration.ofSeconds(30);

        private Builder(Path dataDir, Tenants tenants) {
            this.dataDir = dataDir;
            this.tenants = tenants;
        }

        /** Hosts {@code plan} under {@code name}. */
        public Builder model(String name, HePlan plan) {
            if (models.put(name, plan) != null) {
                throw new IllegalArgumentException("two plans named " + name);
            }
            return this;
        }

        /** The address to bind. */
        public Builder host(String h) {
            host = h;
            return this;
        }

        /** The port (0: any free one). */
        public Builder port(int p) {
            port = p;
            return this;
        }

        /** HTTPS with this keystore. */
        public Builder tls(Path keystore, char[] password) {
            tls = Optional.of(new Tls(keystore, password));
            return this;
        }

        /** Evaluations at once and waiting. */
        public Builder evaluations(int concurrentEvaluations, int queuedEvaluations) {
            concurrent = concurrentEvaluations;
            queued = queuedEvaluations;
            return this;
        }

        /** The longest a request waits for an evaluation slot. */
        public Builder deadline(Duration d) {
            deadline = d;
            return this;
        }

        /** Memory for loaded keys. */
        public Builder keyMemoryBudget(long bytes) {
            budget = bytes;
            return this;
        }

        /** The longest a shutdown waits for requests in flight. */
        public Builder shutdownGrace(Duration d) {
            grace = d;
            return this;
        }

        /** The configuration. */
        public ServeConfig build() {
            return new ServeConfig(models, dataDir, tenants, host, port, tls, concurrent, queued, deadline, budget, grace);
        }
    }
}
