package org.ciphernet.ckks;

import java.util.List;
import java.util.Optional;

/**
 * The security check of {@link CkksParameters}: every parameter that RLWE security depends on is
 * compared with a published estimate, and anything no source covers is refused unless the caller
 * opts out with {@link SecurityLevel#NONE_INSECURE}. Nothing here is computed or interpolated; every
 * number is copied from the source named next to it.
 *
 * <p>What is checked, in order (the first failure is reported):
 * <ol>
 *   <li>Ring degree: a bound must be published for {@code N} at the level ({@link SecurityLevel#hasBound}),
 *       and {@code log2 N ≥ }{@value #MIN_LOG_N_CHECKED}: the published 2^10 and 2^11 bounds (26 and
 *       53 bits at 128-bit security) are too small for a useful CKKS modulus chain, so this library
 *       only builds those rings for tests, with the opt-out.</li>
 *   <li>Error distribution: the standard deviation {@code sigma} must be at least {@value #MIN_SIGMA}.
 *       All the tables below were computed for a discrete (or rounded continuous) Gaussian error of
 *       {@code sigma = 8/sqrt(2π) ≈ 3.19}: the HomomorphicEncryption.org Homomorphic Encryption
 *       Standard v1.1 (Albrecht et al., 2018; "σ ≈ 3.2") and the 2024 community guidelines (Bossuat
 *       et al., "Security Guidelines for Implementing Homomorphic Encryption", IACR ePrint 2024/463,
 *       IACR Communications in Cryptology 1(4), https://cic.iacr.org/p/1/4/26; their lattice-estimator
 *       runs use {@code stddev = 3.19}, github.com/gong-cr/FHE-Security-Guidelines, max_logQ_tables.py).
 *       A smaller error is insecure at any level; a larger one is at least as hard and is accepted
 *       (up to the structural limit 64).</li>
 *   <li>Error bound: {@link Sampler#gaussian} rounds a continuous Gaussian and redraws any sample
 *       beyond {@value #GAUSSIAN_TAIL_SIGMAS}·sigma, so errors lie in [−6σ, 6σ] (≥ 19.1 for σ ≥ 3.19).
 *       The cut is a fixed multiple of sigma, not a parameter, so checking sigma checks the bound; the
 *       mass cut off is below 2^-28 and the same cut is used by Microsoft SEAL
 *       ({@code noise_distribution_width_multiplier = 6}, native/src/seal/util/globals.h) and Lattigo
 *       ({@code DefaultNoiseBound = 19.2 // 6*3.2}, core/rlwe/security.go). Changing the cut must
 *       go through this constant.</li>
 *   <li>Secret distribution and modulus: a {@link SecretDistribution#UNIFORM_TERNARY} secret uses the
 *       {@link SecurityLevel} table of {@code log2(Q·P)}: per ring degree, the smaller of the 2018
 *       standard's and the 2024 guidelines' bound (Table 5.2), so nothing the newest published
 *       estimate puts below the level is accepted. A {@link SecretDistribution#SPARSE_TERNARY}
 *       secret of Hamming weight {@code h} is accepted only at a published {@code (N, h)} point, with
 *       {@code log2(Q·P)} at most that point's bound (table {@link #SPARSE_128} below, 128-bit only).
 *       The 2024 guidelines' tables cover uniform ternary and Gaussian secrets only (their authors
 *       note "sparse-LWE is currently not recommended in the guideline", max_logQ_tables.py,
 *       16 Feb 2024, and removed their draft sparse tables on 27 Feb 2024), so the only published
 *       points are Lattigo's; every other {@code h}, ring degree or level (192/256-bit sparse) is
 *       refused.</li>
 * </ol>
 *
 * <p>Sparse secrets lose security to hybrid (guess-and-reduce, meet-in-the-middle) attacks that the
 * uniform tables do not model: with {@code h = 1} the secret is one of {@code 2N} polynomials and
 * falls to exhaustive search in seconds; estimates for small {@code h} also move between estimator
 * versions (lattice-estimator issue #82), which is why no point is extrapolated from the published ones.
 */
final class SecurityBounds {
    /** The smallest error standard deviation accepted at a checked level (8/sqrt(2π) ≈ 3.1915, as 3.19). */
    static final double MIN_SIGMA = 3.19;

    /** The Gaussian sampler redraws samples beyond this many standard deviations. */
    static final double GAUSSIAN_TAIL_SIGMAS = 6.0;

    /** The smallest log2 N accepted at a checked security level. */
    static final int MIN_LOG_N_CHECKED = 12;

    /**
     * A published 128-bit point for a sparse ternary secret: ring degree {@code 2^logN}, exactly
     * {@code h} nonzero ±1 coefficients, and {@code log2(Q·P) ≤ maxLogQp}.
     */
    record SparseBound(int logN, int hammingWeight, int maxLogQp, String source) {}

    /**
     * Published sparse-secret points at 128-bit classical security, all from Lattigo (Tune Insight),
     * whose sparse parameters come from Bossuat, Troncoso-Pastoriza and Hubaux, "Bootstrapping for
     * Approximate Homomorphic Encryption with Negligible Failure-Probability by Using Sparse-Secret
     * Encapsulation", ACNS 2022, IACR ePrint 2022/024:
     * <ul>
     *   <li>N = 2^15, h = 192, log2(Q·P) ≤ 768: the set {@code N15QP768H192H32} (LogN 15, H 192, Q·P of
     *       768 bits), one of the four {@code DefaultParametersSparse} that Lattigo v3.0–v4.1 document as
     *       "ensuring 128 bit of security" (examples/ckks/bootstrapping/main.go;
     *       ckks/bootstrapping/default_params.go).</li>
     *   <li>N = 2^16, h = 192, log2(Q·P) ≤ 1550: Lattigo v5–v6.2, "the default bootstrapping parameters
     *       use LogN=16 and a ternary secret with H=192 non-zero coefficients which provides parameters
     *       which are at least 128-bit if their LogQP &lt;= 1550"
     *       (examples/singleparty/ckks_bootstrapping/basics/main.go).</li>
     * </ul>
     */
    static final List<SparseBound> SPARSE_128 = List.of(
            new SparseBound(15, 192, 768, "Lattigo v3-v4 DefaultParametersSparse N15QP768H192H32, ePrint 2022/024"),
            new SparseBound(16, 192, 1550, "Lattigo v5-v6 bootstrapping defaults, LogQP <= 1550, ePrint 2022/024"));

    private static final String OPT_OUT = "; opt out explicitly with SecurityLevel.NONE_INSECURE";

    private SecurityBounds() {}

    /**
     * Checks the security-relevant parameters (already structurally valid) against {@code level}.
     *
     * @throws CkksException.InsecureParametersException naming the parameter, its value and the bound
     */
    static void check(int logN, int logQp, SecretDistribution secret, int hammingWeight, double sigma,
            SecurityLevel level) {
        if (level == SecurityLevel.NONE_INSECURE) {
            return;
        }
        int uniformBound = level.maxLogQp(logN); // refuses a ring degree with no published bound
        if (logN < MIN_LOG_N_CHECKED) {
            throw insecure("ring degree N = 2^" + logN + " is below 2^" + MIN_LOG_N_CHECKED
                    + ", the smallest accepted at " + level + " (the published bound of " + uniformBound
                    + " bits for log2(Q·P) at N = 2^" + logN + " is too small for a CKKS modulus chain)");
        }
        if (!(sigma >= MIN_SIGMA)) {
            throw insecure("error width sigma = " + sigma + " is below " + MIN_SIGMA
                    + ", the minimum of the HomomorphicEncryption.org standard (8/sqrt(2π), the width assumed by "
                    + "its tables and the 2024 guidelines'; errors are cut at " + (int) GAUSSIAN_TAIL_SIGMAS
                    + "·sigma); use sigma ≥ " + MIN_SIGMA + " (default " + CkksParameters.DEFAULT_SIGMA + ")");
        }
        if (secret == SecretDistribution.UNIFORM_TERNARY) {
            if (logQp > uniformBound) {
                throw insecure("log2(Q·P) ≈ " + logQp + " bits exceeds the " + uniformBound
                        + " bits allowed at N = 2^" + logN + " for " + level
                        + " (uniform ternary secret); use fewer or smaller primes or a larger N");
            }
            return;
        }
        Optional<SparseBound> published = sparseBound(logN, hammingWeight, level);
        if (published.isEmpty()) {
            throw insecure("sparse ternary secret with Hamming weight h = " + hammingWeight + " at N = 2^" + logN
                    + " has no published " + level + " bound; published: " + publishedSparse()
                    + " (Lattigo, ePrint 2022/024), 128-bit only; use a uniform ternary secret or a published setting");
        }
        SparseBound b = published.get();
        if (logQp > b.maxLogQp()) {
            throw insecure("log2(Q·P) ≈ " + logQp + " bits exceeds " + b.maxLogQp()
                    + " bits, the published " + level + " bound for a sparse ternary secret with h = "
                    + hammingWeight + " at N = 2^" + logN + " (" + b.source()
                    + "); use fewer or smaller primes, or a uniform ternary secret");
        }
    }

    /** The published sparse point for exactly {@code (logN, h)} at {@code level}, if there is one. */
    static Optional<SparseBound> sparseBound(int logN, int hammingWeight, SecurityLevel level) {
        if (level != SecurityLevel.CLASSICAL_128) {
            return Optional.empty();
        }
        return SPARSE_128.stream().filter(b -> b.logN() == logN && b.hammingWeight() == hammingWeight).findFirst();
    }

    private static String publishedSparse() {
        StringBuilder s = new StringBuilder();
        for (SparseBound b : SPARSE_128) {
            if (!s.isEmpty()) {
                s.append(", ");
            }
            s.append("h = ").append(b.hammingWeight()).append(" at N = 2^").append(b.logN())
                    .append(" with log2(Q·P) ≤ ").append(b.maxLogQp());
        }
        return s.toString();
    }

    private static CkksException.InsecureParametersException insecure(String message) {
        return new CkksException.InsecureParametersException(message + OPT_OUT);
    }
}
