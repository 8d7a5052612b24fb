package org.ciphernet.cli;

import java.util.Arrays;
import java.util.Locale;

/**
 * Latency percentiles of a series of timed runs, by the nearest-rank method: the p-th percentile
 * is the smallest measured value with at least p % of the runs at or below it (so p100 is the
 * maximum and every reported figure was measured).
 */
record Latency(int runs, double p50, double p90, double p99, double max) {
    /** The percentiles of the given run times (at least one). */
    static Latency of(double[] millis) {
        if (millis.length == 0) {
            throw new IllegalArgumentException("no runs");
        }
        double[] sorted = millis.clone();
        Arrays.sort(sorted);
        return new Latency(sorted.length, rank(sorted, 50), rank(sorted, 90), rank(sorted, 99), sorted[sorted.length - 1]);
    }

    private static double rank(double[] sorted, int percent) {
        int k = (int) Math.ceil(percent / 100.0 * sorted.length); // 1-based rank
        return sorted[Math.max(1, k) - 1];
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%d runs: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms (p99/p50 = %.2f)", runs, p50,
                p90, p99, max, p99 / p50);
    }
}
