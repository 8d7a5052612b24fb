package org.ciphernet.serve;

/**
 * A request the service refuses: an HTTP status, a short machine-readable kind (also the error
 * metric's tag) and a message naming the problem, thrown by the service and, as the service sent
 * it, by {@link InferenceClient}. The message never contains key material or tensor bytes.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int status;
    private final String kind;

    /** An exception with its status, kind and message. */
    public ApiException(int status, String kind, String message) {
        super(message);
        this.status = status;
        this.kind = kind;
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The kind: unknown_model, unknown_key, corrupted, mismatch, too_large, unauthorized, overloaded, ... */
    public String kind() {
        return kind;
    }

    /** Status, kind and message in one line. */
    @Override
    public String toString() {
        return status + " " + kind + ": " + getMessage();
    }

    static ApiException badRequest(String kind, String message) {
        return new ApiException(400, kind, message);
    }

    static ApiException notFound(String kind, String message) {
        return new ApiException(404, kind, message);
    }
}
