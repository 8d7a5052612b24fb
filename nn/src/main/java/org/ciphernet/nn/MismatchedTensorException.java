package org.ciphernet.nn;

import org.ciphernet.ckks.CkksException;

/**
 * An {@link EncryptedTensor} or {@link EvaluationKeys} used where it does not belong: a query given
 * to decryption, an answer given to the server, a tensor of another plan, or objects of another key
 * pair. The message names what was expected and what was found (plan fingerprints and key
 * identifiers are public values).
 */
public final class MismatchedTensorException extends CkksException {
    private static final long serialVersionUID = 1L;

    /** An error with a message naming the mismatch. */
    public MismatchedTensorException(String message) {
        super(message);
    }
}
