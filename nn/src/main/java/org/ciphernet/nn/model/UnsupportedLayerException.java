package org.ciphernet.nn.model;

/** Thrown for a layer CKKS cannot evaluate; the message names the layer and its HE-friendly replacement. */
public final class UnsupportedLayerException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String opType;

    /** An exception for layer {@code name} of type {@code opType}. */
    public UnsupportedLayerException(String opType, String name, String replacement) {
        super("layer '" + name + "' (" + opType + ") is not supported under CKKS: " + replacement);
        this.opType = opType;
    }

    /** The rejected operation type. */
    public String opType() {
        return opType;
    }
}
