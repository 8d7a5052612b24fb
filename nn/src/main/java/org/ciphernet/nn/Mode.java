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
    BATCHED,
    /**
     * Between the two: k images side by side in one ciphertext, each in the single-image layout at
     * a distance of {@link HePlan#imageStride()} slots (the largest tensor's footprint, a power of
     * two), so every rotation and product serves k = slots / stride images. The compiler chooses
     * the stride; the runtime is the single-image one.
     */
    PACKED;

    /** Whether linear layers rotate one ciphertext (single image and packed) rather than sum ciphertexts (batched). */
    public boolean rotates() {
        return this != BATCHED;
    }
}
