package org.ciphernet.nn;

/**
 * Thrown when no parameters at the requested security level hold the network: the message states
 * the depth (and slots) needed and the most that is available.
 */
public final class NoSecureParametersException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int depthNeeded;
    private final int depthAvailable;

    /**
     * An exception (thrown by the compiler).
     *
     * @param message the depth and slots needed, and what is available
     * @param depthNeeded the multiplicative depth the network needs
     * @param depthAvailable the largest depth secure parameters offer
     */
    public NoSecureParametersException(String message, int depthNeeded, int depthAvailable) {
        super(message);
        this.depthNeeded = depthNeeded;
        this.depthAvailable = depthAvailable;
    }

    /** The multiplicative depth the network needs. */
    public int depthNeeded() {
        return depthNeeded;
    }

    /** The largest depth secure parameters offer (for the slots needed). */
    public int depthAvailable() {
        return depthAvailable;
    }
}
