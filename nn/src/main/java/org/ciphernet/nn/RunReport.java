package org.ciphernet.nn;

import java.util.List;
import java.util.OptionalDouble;

/**
 * What one encrypted inference did, step by step: wall time, output level and scale, and — when an
 * {@link Inspector} with the secret key was given, as in tests and the harness — the largest
 * absolute error against the plaintext reference, also in bits ({@code −log2}).
 */
public record RunReport(List<Row> rows, double totalMillis) {
    /** Copies the rows. */
    public RunReport {
        rows = List.copyOf(rows);
    }

    /** One step. */
    public record Row(String layers, String kind, double millis, int level, double log2Scale, OptionalDouble maxError) {
        /** The error in bits of precision, −log2(max error). */
        public OptionalDouble errorBits() {
            return maxError.isPresent()
                    ? OptionalDouble.of(maxError.getAsDouble() == 0 ? 60 : -Math.log(maxError.getAsDouble()) / Math.log(2))
                    : OptionalDouble.empty();
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format("%-44s %-9s %10s %5s %7s %11s %6s%n", "layers", "kind", "ms", "level",
                "log2 Δ", "max error", "bits"));
        for (Row r : rows) {
            String layers = r.layers.length() > 44 ? r.layers.substring(0, 41) + "..." : r.layers;
            sb.append(String.format("%-44s %-9s %10.1f %5d %7.2f %11s %6s%n", layers, r.kind, r.millis, r.level, r.log2Scale,
                    r.maxError.isPresent() ? String.format("%.3g", r.maxError.getAsDouble()) : "-",
                    r.errorBits().isPresent() ? String.format("%.1f", r.errorBits().getAsDouble()) : "-"));
        }
        sb.append(String.format("total %.1f ms%n", totalMillis));
        return sb.toString();
    }
}
