package org.ciphernet.ckks;

/**
 * The base of the errors the CKKS layer reports when valid objects do not fit together or exceed
 * the scheme's limits. Subclasses name the cause so that callers can react to it; the message
 * always says what was wrong and what was expected.
 *
 * <p>The rule, applied across the public API:
 * <ul>
 *   <li>an argument that is wrong on its own — null, a wrong length or count, NaN or infinity, an
 *       index out of range, a 3-part ciphertext where a relinearized one is needed — raises Java's
 *       {@link IllegalArgumentException} ({@link NullPointerException} for null), naming the
 *       argument and its value;</li>
 *   <li>everything specific to CKKS raises a subclass of this class: a level that is not there
 *       ({@link LevelException}), scales that differ ({@link ScaleMismatchException}) or do not fit
 *       the modulus ({@link ScaleOverflowException}), a missing key ({@link MissingKeyException}),
 *       objects from other parameters ({@link ParameterMismatchException}), bad bytes
 *       ({@link SerializationException}) and parameters below the requested security
 *       ({@link InsecureParametersException}).</li>
 * </ul>
 */
public class CkksException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An error with a message naming the problem. */
    public CkksException(String message) {
        super(message);
    }

    /** An error with a message and an underlying cause. */
    public CkksException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An operation needs a level the ciphertext does not have (nothing left to rescale, say). */
    public static final class LevelException extends CkksException {
        private static final long serialVersionUID = 1L;

        public LevelException(String message) {
            super(message);
        }
    }

    /** Two operands have scales that differ beyond the tolerance. */
    public static final class ScaleMismatchException extends CkksException {
        private static final long serialVersionUID = 1L;

        public ScaleMismatchException(String message) {
            super(message);
        }
    }

    /** A scale (or value × scale) would exceed what the modulus at that level can hold. */
    public static final class ScaleOverflowException extends CkksException {
        private static final long serialVersionUID = 1L;

        public ScaleOverflowException(String message) {
            super(message);
        }
    }

    /** A rotation, conjugation or relinearization key is missing. */
    public static final class MissingKeyException extends CkksException {
        private static final long serialVersionUID = 1L;

        public MissingKeyException(String message) {
            super(message);
        }
    }

    /** Objects made under different parameters were combined. */
    public static final class ParameterMismatchException extends CkksException {
        private static final long serialVersionUID = 1L;

        public ParameterMismatchException(String message) {
            super(message);
        }
    }

    /**
     * Bytes that cannot be read: wrong magic, unknown or refused version, a failed integrity check
     * (CRC32C: corrupted in transport or storage), wrong type, truncated, too long, out-of-range
     * values, or parameters above the size bound for bytes.
     */
    public static final class SerializationException extends CkksException {
        private static final long serialVersionUID = 1L;

        public SerializationException(String message) {
            super(message);
        }
    }

    /** Parameters below the requested security level. */
    public static final class InsecureParametersException extends CkksException {
        private static final long serialVersionUID = 1L;

        public InsecureParametersException(String message) {
            super(message);
        }
    }
}
