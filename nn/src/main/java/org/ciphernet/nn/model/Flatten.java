package org.ciphernet.nn.model;

/** Reshapes C×H×W into a vector of C·H·W elements; free under the flat layout. */
public record Flatten() implements Layer {
    @Override
    public Shape outputShape(Shape... in) {
        return Shape.vector(in[0].size());
    }
}
