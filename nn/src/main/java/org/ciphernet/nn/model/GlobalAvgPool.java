package org.ciphernet.nn.model;

/** Averages each channel over its H×W positions: C×H×W ↦ C×1×1. */
public record GlobalAvgPool() implements Layer {
    @Override
    public Shape outputShape(Shape... in) {
        return new Shape(in[0].channels(), 1, 1);
    }
}
