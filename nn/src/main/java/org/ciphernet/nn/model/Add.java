package org.ciphernet.nn.model;

/**
 * The element-wise sum of two tensors of the same shape: a skip connection. Both the reference
 * residual style (a block adds its own input) and the shared-source style (every stage adds one
 * stored tensor, brought to shape by projection layers the model states) are graphs of this layer.
 */
public record Add() implements Layer {
    @Override
    public int arity() {
        return 2;
    }

    @Override
    public Shape outputShape(Shape... in) {
        if (!in[0].equals(in[1])) {
            throw new IllegalArgumentException("Add needs equal shapes, got " + in[0] + " and " + in[1]
                    + "; project the skip source with AvgPool2d and/or a 1×1 Conv2d");
        }
        return in[0];
    }
}
