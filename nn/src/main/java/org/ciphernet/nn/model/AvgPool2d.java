package org.ciphernet.nn.model;

/** Average pooling over kernel×kernel windows with a stride, no padding (a linear layer). */
public record AvgPool2d(int kernel, int stride) implements Layer {
    /** Validates the window. */
    public AvgPool2d {
        if (kernel < 1 || stride < 1) {
            throw new IllegalArgumentException("kernel and stride must be positive, got " + kernel + ", " + stride);
        }
    }

    @Override
    public Shape outputShape(Shape... in) {
        Shape s = in[0];
        if (s.height() < kernel || s.width() < kernel) {
            throw new IllegalArgumentException("AvgPool2d kernel " + kernel + " exceeds input " + s);
        }
        return new Shape(s.channels(), (s.height() - kernel) / stride + 1, (s.width() - kernel) / stride + 1);
    }
}
