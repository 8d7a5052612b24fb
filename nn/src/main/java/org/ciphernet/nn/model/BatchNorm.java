package org.ciphernet.nn.model;

import java.util.Arrays;

/**
 * Inference-time batch normalization, per channel: {@code γ·(x − μ)/√(σ² + ε) + β}. An affine map,
 * so the compiler folds it into the neighbouring linear layer: it costs no level.
 */
public record BatchNorm(double[] gamma, double[] beta, double[] mean, double[] variance, double epsilon) implements Layer {
    /** Validates sizes and copies the arrays. */
    public BatchNorm {
        int c = gamma.length;
        if (c == 0 || beta.length != c || mean.length != c || variance.length != c || !(epsilon >= 0)) {
            throw new IllegalArgumentException("BatchNorm needs γ, β, μ, σ² of one length and ε ≥ 0");
        }
        for (double v : variance) {
            if (!(v + epsilon > 0)) {
                throw new IllegalArgumentException("BatchNorm variance + ε must be positive, got " + v + " + " + epsilon);
            }
        }
        gamma = gamma.clone();
        beta = beta.clone();
        mean = mean.clone();
        variance = variance.clone();
        Conv2d.checkFinite(gamma, "gamma");
        Conv2d.checkFinite(beta, "beta");
        Conv2d.checkFinite(mean, "mean");
    }

    /** The per-channel multiplier {@code γ/√(σ² + ε)}. */
    public double[] scale() {
        double[] s = new double[gamma.length];
        for (int c = 0; c < s.length; c++) {
            s[c] = gamma[c] / Math.sqrt(variance[c] + epsilon);
        }
        return s;
    }

    /** The per-channel offset {@code β − μ·γ/√(σ² + ε)}. */
    public double[] shift() {
        double[] s = scale();
        double[] t = new double[s.length];
        for (int c = 0; c < s.length; c++) {
            t[c] = beta[c] - mean[c] * s[c];
        }
        return t;
    }

    @Override
    public double[] gamma() {
        return gamma.clone();
    }

    @Override
    public double[] beta() {
        return beta.clone();
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] variance() {
        return variance.clone();
    }

    @Override
    public Shape outputShape(Shape... in) {
        if (in[0].channels() != gamma.length) {
            throw new IllegalArgumentException("BatchNorm has " + gamma.length + " channels, input is " + in[0]);
        }
        return in[0];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchNorm b && Arrays.equals(b.gamma, gamma) && Arrays.equals(b.beta, beta)
                && Arrays.equals(b.mean, mean) && Arrays.equals(b.variance, variance) && b.epsilon == epsilon;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(gamma);
    }

    @Override
    public String toString() {
        return "BatchNorm(" + gamma.length + ")";
    }
}
