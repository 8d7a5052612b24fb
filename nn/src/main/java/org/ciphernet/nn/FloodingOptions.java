package org.ciphernet.nn;

/**
 * Noise flooding of a plan's outputs, both off by default (and in every benchmark).
 *
 * <ul>
 *   <li><b>Circuit privacy</b> ({@code circuitPrivacyBits = s > 0}): the server adds to every output
 *       ciphertext a fresh public-key encryption of zero whose Gaussian noise is {@code 2^s/2} times
 *       the estimated Euclidean norm of the evaluation error, so the decrypted phase is within
 *       statistical distance about {@code 2^-s} per ciphertext of one that does not depend on the
 *       weights beyond the exact outputs (see {@link org.ciphernet.ckks.NoiseFlooding}; over k output
 *       ciphertexts, for example the k outputs of a batched plan, the bound is {@code k·2^-s}). The
 *       evaluation keys then carry the client's public key.</li>
 *   <li><b>Safe decryption</b> ({@code decryptionBits = s > 0}, {@code decryptionQueries = τ}): the
 *       client adds Gaussian noise of {@code √(12τ)·2^(s/2)·t} at decryption, t the estimated largest
 *       error coefficient, so that decrypted results can be shared (against the Li–Micciancio
 *       attack; see {@link org.ciphernet.ckks.FloodingDecryptor}).</li>
 * </ul>
 * Either costs precision, never levels; the compiler measures the evaluation noise in a
 * noise-estimation run (one or two inferences under a throwaway key, at every compile with flooding
 * on), reports the cost in {@link PlanReport#flooding()} and refuses a plan whose outputs would keep
 * fewer than {@code minPrecisionBits} bits. Measured costs: circuit privacy about
 * {@code s + (log2 N)/2} bits of precision (24 bits for s = 20 at N = 2^10 to 2^14), safe decryption
 * about {@code s/2 + log2 √(12τ) + 3} (19 to 22 bits for s = 30, τ = 16). At the default scale of
 * 2^40 (about 15 to 20 bits of output precision) neither is affordable; a scale of 2^55 with 4
 * integer bits (about 30 bits) is the usual way.
 *
 * <p>Scope of the promises: the client is honest but curious (its inputs are fresh encryptions of
 * values like the sample ones, drawn from the plan's declared input range, which flooding
 * requires); a client who sends ciphertexts with inflated noise or
 * out-of-range values can push the evaluation error past the estimate, and then the flooding no
 * longer hides it. Both promises rest on the estimated error bound, not on a proof of it.
 *
 * @param circuitPrivacyBits statistical security s of server-side flooding, 0 for off
 * @param decryptionBits statistical security s of flooding at decryption, 0 for off
 * @param decryptionQueries τ, how many flooded decryptions (under one key) an adversary may see
 * @param minPrecisionBits the fewest bits of absolute output precision ({@code −log2} of the largest
 *     expected error) a flooded plan must keep
 */
public record FloodingOptions(int circuitPrivacyBits, int decryptionBits, long decryptionQueries, int minPrecisionBits) {
    /** The default precision floor: outputs within 2^-6 (enough to rank logits a few hundredths apart). */
    public static final int DEFAULT_MIN_PRECISION_BITS = 6;

    /** Validates the options. */
    public FloodingOptions {
        if (circuitPrivacyBits < 0 || circuitPrivacyBits > 128 || decryptionBits < 0 || decryptionBits > 128) {
            throw new IllegalArgumentException("statistical security must be 0 (off) to 128 bits, got " + circuitPrivacyBits + " and "
                    + decryptionBits);
        }
        if (decryptionQueries < 1) {
            throw new IllegalArgumentException("the number of decryption queries must be positive, got " + decryptionQueries);
        }
        if (minPrecisionBits < -10 || minPrecisionBits > 50) {
            throw new IllegalArgumentException("the precision floor must be −10 to 50 bits, got " + minPrecisionBits);
        }
    }

    /** No flooding (the default). */
    public static FloodingOptions off() {
        return new FloodingOptions(0, 0, 1, DEFAULT_MIN_PRECISION_BITS);
    }

    /** Whether any flooding is on. */
    public boolean enabled() {
        return circuitPrivacyBits > 0 || decryptionBits > 0;
    }

    /** With server-side flooding at {@code statisticalBits} (0 turns it off). */
    public FloodingOptions withCircuitPrivacy(int statisticalBits) {
        return new FloodingOptions(statisticalBits, decryptionBits, decryptionQueries, minPrecisionBits);
    }

    /** With flooding at decryption at {@code statisticalBits} for {@code queries} decryptions (0 bits turns it off). */
    public FloodingOptions withSafeDecryption(int statisticalBits, long queries) {
        return new FloodingOptions(circuitPrivacyBits, statisticalBits, queries, minPrecisionBits);
    }

    /** With another precision floor. */
    public FloodingOptions withMinPrecisionBits(int bits) {
        return new FloodingOptions(circuitPrivacyBits, decryptionBits, decryptionQueries, bits);
    }
}
