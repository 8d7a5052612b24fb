package org.ciphernet.ckks;

import java.util.Objects;

/**
 * The argument checks of the public API, one place for their wording. The rule (see
 * {@link CkksException}): an argument that is wrong on its own — null, a wrong length or count, NaN
 * or infinity, a ciphertext with the wrong number of parts — raises Java's
 * {@link IllegalArgumentException} (or {@link NullPointerException} for null) naming the argument and
 * its value; a {@link CkksException} subclass reports valid objects that do not fit together or the
 * scheme's limits (level, scale, key, parameters, bytes, security).
 */
final class Arguments {
    private Arguments() {}

    /** {@code value}, or a {@link NullPointerException} naming it. */
    static <T> T present(T value, String what) {
        return Objects.requireNonNull(value, () -> what + " must not be null");
    }

    /** {@code value}, or an {@link IllegalArgumentException} when it is NaN or infinite. */
    static double finite(double value, String what) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number, got " + value);
        }
        return value;
    }

    /** Checks that a ciphertext has two parts (relinearized), naming the operation. */
    static void twoParts(Ciphertext a, String operation) {
        if (a.size() != 2) {
            throw new IllegalArgumentException(operation + " takes 2-part ciphertexts, got one with " + a.size()
                    + " parts; relinearize it first");
        }
    }
}
