package org.ciphernet.spark;

/** A dataset folder or record that cannot be used: missing, unreadable, invalid id, already full. */
public final class DatasetException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with its message. */
    public DatasetException(String message) {
        super(message);
    }

    /** An exception with its message and cause. */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
