package org.ciphernet.serve;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reading the service's Prometheus metrics in tests. */
final class MetricsText {
    private MetricsText() {
    }

    static String metrics(URI base, String token) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(base.resolve("/metrics")).header("Authorization", "Bearer " + token)
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    /** The value of an untagged gauge. */
    static double gauge(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(name + " not in the metrics"));
    }
}
