package org.ciphernet.cli;

/**
 * A problem with what the user gave the command (a missing, unreadable, empty or corrupted file, a
 * key that would be overwritten): {@link Main} prints its message as one line and exits non-zero,
 * without a stack trace.
 */
final class UserError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UserError(String message) {
        super(message);
    }

    UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
