package org.ciphernet.nn.model;

/**
 * One operation of a {@link Network}. The supported layers are the HE-friendly ones: linear layers
 * ({@link Conv2d}, {@link Dense}, {@link BatchNorm}, {@link AvgPool2d}, {@link GlobalAvgPool},
 * {@link Flatten}), polynomial activations ({@link Square}, {@link Quadratic}) and {@link Add}.
 * {@link Unsupported} stands for a layer from a trained model that CKKS cannot evaluate (ReLU,
 * max pooling, softmax, …); a network containing one is rejected with the HE-friendly replacement.
 */
public sealed interface Layer permits Conv2d, Dense, BatchNorm, Square, Quadratic, AvgPool2d, GlobalAvgPool, Flatten,
        Add, Unsupported {
    /** The number of inputs the layer takes (2 for {@link Add}, otherwise 1). */
    default int arity() {
        return 1;
    }

    /**
     * The output shape for the given input shapes.
     *
     * @throws IllegalArgumentException when the inputs do not fit the layer
     */
    Shape outputShape(Shape... inputs);

    /** A short name of the operation, such as {@code Conv2d}. */
    default String kind() {
        return getClass().getSimpleName();
    }
}
