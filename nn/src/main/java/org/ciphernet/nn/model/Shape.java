package org.ciphernet.nn.model;

/**
 * The shape of a tensor, channels × height × width. Vectors (after {@link Flatten} or a
 * {@link Dense} layer) have shape {@code n × 1 × 1}. Tensors are stored flat in row-major
 * channel, row, column order, so element (c, y, x) has index {@code (c·height + y)·width + x}.
 */
public record Shape(int channels, int height, int width) {
    /** Validates positive dimensions. */
    public Shape {
        if (channels < 1 || height < 1 || width < 1) {
            throw new IllegalArgumentException("shape dimensions must be positive, got " + channels + "×" + height + "×" + width);
        }
    }

    /** A vector of n elements. */
    public static Shape vector(int n) {
        return new Shape(n, 1, 1);
    }

    /** The number of elements. */
    public int size() {
        return Math.multiplyExact(Math.multiplyExact(channels, height), width);
    }

    /** The flat index of element (c, y, x). */
    public int index(int c, int y, int x) {
        return (c * height + y) * width + x;
    }

    @Override
    public String toString() {
        return channels + "×" + height + "×" + width;
    }
}
