package org.ciphernet.harness;

import java.util.Map;
import org.ciphernet.nn.model.Network;

/**
 * The largest magnitudes a network's values reach on test images, for the weight-redistribution
 * question of Chielle et al. 2025: moving scale between consecutive layers so that every encrypted
 * value stays within the range the parameters are sized for. A chain sized like theirs (every
 * level's modulus only just above the scale) must hold the widest intermediate value in its
 * integer bits, and redistribution brings that down to what the output needs; a Ciphernet chain
 * has at least a whole prime of headroom at every level above the last, so only the output's
 * magnitude needs integer bits and redistribution has nothing left to save there.
 *
 * @param widestLayer the model layer (not the input or output) whose output reaches the largest magnitude
 * @param widest that magnitude
 * @param output the largest magnitude of the output (the logits)
 * @param images the images measured
 */
public record ValueRanges(String widestLayer, double widest, double output, int images) {
    /** Images measured per model (the first of the plaintext pass). */
    static final int IMAGES = 500;

    /**
     * Integer bits a value of magnitude {@code m} needs above the scale, sign included (the
     * parameters' headroom is {@code ±2^(bits−1)}).
     */
    public static int integerBits(double m) {
        return m < 1 ? 1 : Math.getExponent(m) + 2;
    }

    /** Collects the largest magnitude of every layer over images. */
    static final class Builder {
        private final Network net;
        private final java.util.LinkedHashMap<String, Double> max = new java.util.LinkedHashMap<>();
        private int images;

        Builder(Network net) {
            this.net = net;
        }

        /** One image's values of every layer (from {@code ReferenceEvaluator.evaluateAll}). */
        void add(Map<String, double[]> values) {
            images++;
            for (Map.Entry<String, double[]> e : values.entrySet()) {
                double m = 0;
                for (double v : e.getValue()) {
                    m = Math.max(m, Math.abs(v));
                }
                max.merge(e.getKey(), m, Math::max);
            }
        }

        ValueRanges build() {
            String output = net.output().name();
            String widestLayer = "";
            double widest = 0;
            for (Map.Entry<String, Double> e : max.entrySet()) {
                if (!e.getKey().equals(Network.INPUT) && !e.getKey().equals(output) && e.getValue() > widest) {
                    widest = e.getValue();
                    widestLayer = e.getKey();
                }
            }
            return new ValueRanges(widestLayer, widest, max.getOrDefault(output, 0.0), images);
        }
    }
}
