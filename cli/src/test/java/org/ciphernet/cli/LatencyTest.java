package org.ciphernet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Nearest-rank percentiles: every figure is a measured value, p100 the maximum. */
class LatencyTest {
    @Test
    void nearestRankPercentiles() {
        double[] runs = new double[200];
        for (int i = 0; i < runs.length; i++) {
            runs[i] = 200 - i; // 200 … 1, unsorted on purpose
        }
        Latency l = Latency.of(runs);
        assertEquals(100, l.p50());
        assertEquals(180, l.p90());
        assertEquals(198, l.p99());
        assertEquals(200, l.max());
        assertEquals(200, l.runs());
        Latency one = Latency.of(new double[] {7.5});
        assertEquals(7.5, one.p50());
        assertEquals(7.5, one.p99());
        Latency three = Latency.of(new double[] {3, 1, 2});
        assertEquals(2, three.p50());
        assertEquals(3, three.p90());
        assertThrows(IllegalArgumentException.class, () -> Latency.of(new double[0]));
    }
}
