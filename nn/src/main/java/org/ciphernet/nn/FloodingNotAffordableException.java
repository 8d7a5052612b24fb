package org.ciphernet.nn;

/**
 * Thrown when a plan cannot afford the noise flooding asked for: the outputs would keep fewer bits
 * of precision than the floor, or the flooding noise would not fit the output's modulus. The
 * message states the figures and what to change (a larger scale, more integer bits, a lower
 * statistical security level).
 */
public final class FloodingNotAffordableException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final double precisionBits;

    /**
     * An exception (thrown by the compiler).
     *
     * @param message the figures and what to change
     * @param precisionBits the output precision the flooded plan would have had
     */
    public FloodingNotAffordableException(String message, double precisionBits) {
        super(message);
        this.precisionBits = precisionBits;
    }

    /** The output precision (bits) the flooded plan would have had. */
    public double precisionBits() {
        return precisionBits;
    }
}
