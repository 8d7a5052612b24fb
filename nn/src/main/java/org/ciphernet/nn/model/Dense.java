package org.ciphernet.nn.model;

import java.util.Arrays;

/** A fully connected layer {@code y = W·x + b}; W is flat row-major, {@code outputs × inputs}. */
public record Dense(int inputs, int outputs, double[] weights, double[] bias) implements Layer {
    /** Validates sizes and copies the arrays. */
    public Dense {
        if (inputs < 1 || outputs < 1 || weights.length != inputs * outputs || bias.length != outputs) {
            throw new IllegalArgumentException(String.format("bad Dense %d→%d with %d weights and %d biases",
                    inputs, outputs, weights.length, bias.length));
        }
        weights = weights.clone();
        bias = bias.clone();
        Conv2d.checkFinite(weights, "weights");
        Conv2d.checkFinite(bias, "bias");
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
    public Shape outputShape(Shape... in) {
        if (in[0].size() != inputs) {
            throw new IllegalArgumentException("Dense expects " + inputs + " inputs, got " + in[0] + " = " + in[0].size());
        }
        return Shape.vector(outputs);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Dense d && d.inputs == inputs && d.outputs == outputs && Arrays.equals(d.weights, weights)
                && Arrays.equals(d.bias, bias);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(weights);
    }

    @Override
    public String toString() {
        return "Dense(" + inputs + "→" + outputs + ")";
    }
}
