package org.ciphernet.nn.model;

import java.util.Locale;

/**
 * A layer of a trained model that CKKS cannot evaluate without bootstrapping or comparisons, kept
 * so that importers can describe what they found. A {@link Network} containing one is rejected by
 * {@link Network.Builder#build()} with {@link UnsupportedLayerException}, naming the replacement.
 *
 * @param opType the operation as the source model names it, for example {@code Relu} or {@code MaxPool}
 */
public record Unsupported(String opType) implements Layer {
    /** Validates the name. */
    public Unsupported {
        if (opType == null || opType.isBlank()) {
            throw new IllegalArgumentException("opType must be named");
        }
    }

    /** ReLU. */
    public static Unsupported relu() {
        return new Unsupported("Relu");
    }

    /** Max pooling. */
    public static Unsupported maxPool() {
        return new Unsupported("MaxPool");
    }

    /** Softmax. */
    public static Unsupported softmax() {
        return new Unsupported("Softmax");
    }

    /** The HE-friendly replacement to train with instead. */
    public String replacement() {
        return switch (opType.toLowerCase(Locale.ROOT)) {
            case "relu", "leakyrelu", "prelu", "elu", "selu", "gelu", "silu", "swish", "sigmoid", "tanh", "softplus",
                    "hardswish", "hardsigmoid", "mish" ->
                    "replace it with Square (x²) or a trainable Quadratic (a·x² + b·x + c), trained with a range penalty "
                            + "or distilled from the original network";
            case "maxpool", "maxpool2d", "globalmaxpool", "adaptivemaxpool2d" -> "replace it with AvgPool2d (or GlobalAvgPool)";
            case "softmax", "logsoftmax" -> "drop it: the argmax of the logits is unchanged; apply softmax after decryption";
            case "dropout" -> "remove it for inference (export the model in eval mode)";
            case "layernormalization", "layernorm", "instancenormalization" ->
                    "use BatchNorm, which folds into the neighbouring linear layer (a per-sample norm needs a division)";
            default -> "express it with Conv2d, Dense, BatchNorm, AvgPool2d, GlobalAvgPool, Flatten, Square, Quadratic and Add";
        };
    }

    @Override
    public Shape outputShape(Shape... in) {
        throw new UnsupportedLayerException(opType, "?", replacement());
    }
}
