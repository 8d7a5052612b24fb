package org.ciphernet.serve;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service's metrics, in Prometheus's text format through Micrometer: requests by route, method
 * and status with latency histograms ({@code http_server_requests_seconds}), evaluation time by
 * model, the evaluations running and waiting, loaded keys and their memory, and errors by kind.
 * Routes are the templates ({@code /v1/models/{model}/...}), so the series stay few.
 */
final class ServiceMetrics {
    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    ServiceMetrics(EvaluationGate gate, LoadedServers servers) {
        Gauge.builder("ciphernet.evaluations.waiting", gate, EvaluationGate::waiting).description("requests waiting for an evaluation slot")
                .register(registry);
        Gauge.builder("ciphernet.evaluations.active", gate, EvaluationGate::active).description("evaluations running").register(registry);
        Gauge.builder("ciphernet.keys.loaded.bytes", servers, LoadedServers::bytes).baseUnit("bytes")
                .description("memory of the loaded evaluation keys and encoded weights").register(registry);
        Gauge.builder("ciphernet.keys.loaded", servers, LoadedServers::size).description("loaded key sets").register(registry);
    }

    void request(String method, String route, int status, double millis) {
        Timer.builder("http.server.requests").tag("method", method).tag("route", route).tag("status", Integer.toString(status))
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry).record((long) (millis * 1e6), TimeUnit.NANOSECONDS);
    }

    void evaluation(String model, long nanos) {
        Timer.builder("ciphernet.inference").tag("model", model).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(10))
                .description("server time of one evaluation").register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }

    void error(String kind) {
        Counter.builder("ciphernet.errors").tag("kind", kind).description("refused or failed requests by kind").register(registry)
                .increment();
    }

    String scrape() {
        return registry.scrape();
    }
}
