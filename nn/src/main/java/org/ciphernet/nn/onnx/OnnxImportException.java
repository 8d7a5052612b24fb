package org.ciphernet.nn.onnx;

/**
 * An ONNX model that cannot be imported: corrupted bytes, a malformed graph, or a supported
 * operator used with attributes Ciphernet does not handle (dilation, groups, asymmetric padding, …).
 * The message names the node and its operator. Operators with no CKKS evaluation at all (ReLU,
 * MaxPool, …) raise {@link org.ciphernet.nn.model.UnsupportedLayerException} instead, which also
 * names the HE-friendly replacement.
 */
public final class OnnxImportException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** An error with a message naming the node. */
    public OnnxImportException(String message) {
        super(message);
    }

    /** An error with a cause (for example the protobuf parser's). */
    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
