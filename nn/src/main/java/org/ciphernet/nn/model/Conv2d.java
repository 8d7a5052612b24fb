package org.ciphernet.nn.model;

import java.util.Arrays;

/**
 * A 2-D convolution with square kernels, symmetric zero padding and a stride. Weights are flat in
 * (out, in, ky, kx) order; the bias has one entry per output channel.
 *
 * <p>A <b>Dirac-parameterized</b> convolution (Drucker &amp; Zimerman 2023) computes
 * {@code α_o·x_o + β_o·(W∗x)_o} per output channel o, that is {@code W_eff = α·δ + β·W} with δ the
 * identity kernel; it is folded into a plain convolution by {@link #effectiveWeights()}, so it costs
 * exactly what a plain convolution costs. The plaintext reference evaluates the unfolded form.
 *
 * @param alpha per-output-channel Dirac weights, empty for a plain convolution
 * @param beta per-output-channel kernel multipliers, empty for a plain convolution
 */
public record Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, double[] weights,
        double[] bias, double[] alpha, double[] beta) implements Layer {
    /** Validates sizes and copies the arrays. */
    public Conv2d {
        if (inChannels < 1 || outChannels < 1 || kernel < 1 || stride < 1 || padding < 0 || padding >= kernel) {
            throw new IllegalArgumentException(String.format(
                    "bad Conv2d: %d→%d channels, kernel %d, stride %d, padding %d", inChannels, outChannels, kernel, stride, padding));
        }
        if (weights.length != outChannels * inChannels * kernel * kernel) {
            throw new IllegalArgumentException("Conv2d needs " + outChannels * inChannels * kernel * kernel + " weights, got " + weights.length);
        }
        if (bias.length != outChannels) {
            throw new IllegalArgumentException("Conv2d needs " + outChannels + " biases, got " + bias.length);
        }
        if (alpha.length != beta.length || (alpha.length != 0 && alpha.length != outChannels)) {
            throw new IllegalArgumentException("Dirac α and β need one entry per output channel");
        }
        if (alpha.length != 0 && (inChannels != outChannels || stride != 1 || kernel % 2 == 0 || padding != kernel / 2)) {
            throw new IllegalArgumentException("a Dirac convolution needs in = out channels, stride 1, an odd kernel and 'same' padding");
        }
        weights = weights.clone();
        bias = bias.clone();
        alpha = alpha.clone();
        beta = beta.clone();
        checkFinite(weights, "weights");
        checkFinite(bias, "bias");
        checkFinite(alpha, "alpha");
        checkFinite(beta, "beta");
    }

    /** A plain convolution. */
    public static Conv2d of(int in, int out, int kernel, int stride, int padding, double[] weights, double[] bias) {
        return new Conv2d(in, out, kernel, stride, padding, weights, bias, new double[0], new double[0]);
    }

    /** A Dirac-parameterized convolution {@code α·x + β·(W∗x) + bias}, stride 1, same padding. */
    public static Conv2d dirac(int channels, int kernel, double[] alpha, double[] beta, double[] weights, double[] bias) {
        return new Conv2d(channels, channels, kernel, 1, kernel / 2, weights, bias, alpha, beta);
    }

    /** Whether this convolution is Dirac-parameterized. */
    public boolean isDirac() {
        return alpha.length != 0;
    }

    /** The weights of the equivalent plain convolution ({@code α·δ + β·W} for a Dirac one). */
    public double[] effectiveWeights() {
        double[] w = weights.clone();
        if (isDirac()) {
            int kk = kernel * kernel;
            for (int o = 0; o < outChannels; o++) {
                for (int i = 0; i < inChannels; i++) {
                    for (int t = 0; t < kk; t++) {
                        w[(o * inChannels + i) * kk + t] *= beta[o];
                    }
                }
                w[(o * inChannels + o) * kk + (kernel / 2) * kernel + kernel / 2] += alpha[o];
            }
        }
        return w;
    }

    @Override
    public double[] weights() {
        return weights.clone();
    }

    @Override
    public double[] bias() {
        return bias.clone();
    }

    @Override
    public double[] alpha() {
        return alpha.clone();
    }

    @Override
    public double[] beta() {
        return beta.clone();
    }

    @Override
    public Shape outputShape(Shape... in) {
        Shape s = in[0];
        if (s.channels() != inChannels) {
            throw new IllegalArgumentException("Conv2d expects " + inChannels + " input channels, got " + s);
        }
        int h = (s.height() + 2 * padding - kernel) / stride + 1;
        int w = (s.width() + 2 * padding - kernel) / stride + 1;
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("Conv2d kernel " + kernel + " does not fit input " + s);
        }
        return new Shape(outChannels, h, w);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Conv2d c && c.inChannels == inChannels && c.outChannels == outChannels && c.kernel == kernel
                && c.stride == stride && c.padding == padding && Arrays.equals(c.weights, weights)
                && Arrays.equals(c.bias, bias) && Arrays.equals(c.alpha, alpha) && Arrays.equals(c.beta, beta);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(weights) * 31 + Arrays.hashCode(bias);
    }

    @Override
    public String toString() {
        return String.format("Conv2d(%d→%d, %dx%d, stride %d, padding %d%s)", inChannels, outChannels, kernel, kernel,
                stride, padding, isDirac() ? ", Dirac" : "");
    }

    static void checkFinite(double[] v, String what) {
        for (double x : v) {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException(what + " contain a non-finite value: " + x);
            }
        }
    }
}
