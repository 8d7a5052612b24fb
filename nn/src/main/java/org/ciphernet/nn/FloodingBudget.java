package org.ciphernet.nn;

import java.util.Locale;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What noise flooding costs a plan, computed by the compiler from a noise-estimation run (see
 * {@link FloodingOptions}). Error figures are in the coefficient embedding of the output
 * ciphertexts (integers, before division by the scale); precisions are {@code −log2} of the largest
 * expected absolute error of an output value.
 *
 * @param options the flooding asked for
 * @param log2ErrorNorm {@code log2} of the estimated Euclidean norm B of an output's evaluation
 *     error, margin included (what server-side flooding hides)
 * @param log2ErrorMax {@code log2} of the estimated largest error coefficient t of a decrypted
 *     output, margin and server flooding included (what decryption flooding is sized on)
 * @param evaluationPrecisionBits output precision without flooding (estimate, margin included)
 * @param serverLog2Sigma {@code log2 σ} of the server's flooding ({@code 2^s·B/2}), if on
 * @param decryptionLog2Sigma {@code log2 σ} of the decryption flooding ({@code √(12τ)·2^(s/2)·t}), if on
 * @param precisionBits expected output precision with the flooding: the estimated evaluation error
 *     plus a tail bound on the flooding's share in every slot (exceeded with probability below
 *     2^-30 per ciphertext)
 * @param headroomBits bits between the flooding's tail and a quarter of the output modulus (or the decoder's reach
 *     of 2^51 above the scale), whichever is less; the message keeps the rest of the modulus
 * @param levels levels the flooding consumes (always 0: it is an addition at the output level)
 */
public record FloodingBudget(FloodingOptions options, double log2ErrorNorm, double log2ErrorMax, double evaluationPrecisionBits,
        OptionalDouble serverLog2Sigma, OptionalDouble decryptionLog2Sigma, double precisionBits, double headroomBits, int levels) {
    /** Checks for nulls. */
    public FloodingBudget {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(serverLog2Sigma, "serverLog2Sigma");
        Objects.requireNonNull(decryptionLog2Sigma, "decryptionLog2Sigma");
    }

    /** Bits of precision the flooding costs. */
    public double bitsLost() {
        return evaluationPrecisionBits - precisionBits;
    }

    /** One line for the plan report. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("noise flooding: ");
        if (serverLog2Sigma.isPresent()) {
            sb.append(String.format(Locale.ROOT, "circuit privacy 2^-%d (server σ = 2^%.1f), ", options.circuitPrivacyBits(),
                    serverLog2Sigma.getAsDouble()));
        }
        if (decryptionLog2Sigma.isPresent()) {
            sb.append(String.format(Locale.ROOT, "safe decryption 2^-%d for %d queries (σ = 2^%.1f), ", options.decryptionBits(),
                    options.decryptionQueries(), decryptionLog2Sigma.getAsDouble()));
        }
        sb.append(String.format(Locale.ROOT,
                "evaluation error ‖e‖ ≈ 2^%.1f (max coefficient 2^%.1f); output precision %.1f → %.1f bits (%.1f bits lost), "
                        + "%d levels, %.1f bits of headroom",
                log2ErrorNorm, log2ErrorMax, evaluationPrecisionBits, precisionBits, bitsLost(), levels, headroomBits));
        return sb.toString();
    }
}
