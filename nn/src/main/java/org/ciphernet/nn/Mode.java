package org.ciphernet.nn;

/** How images are packed into ciphertexts. */
public enum Mode {
    /**
     * Low latency: one image per inference, the whole tensor in the slots of one ciphertext; linear
     * layers use the diagonal method with rotations.
     */
    SINGLE_IMAGE,
    /**
     * Throughput (CryptoNets-style): up to one image per slot, one ciphertext per tensor element;
     * linear layers are weighted sums of ciphertexts with no rotations at all.
     */
    BATCHED
}
