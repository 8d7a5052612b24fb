package org.ciphernet.ckks;

/**
 * Classical security levels, with the largest {@code log2(Q·P)} allowed per ring degree for a
 * uniform ternary secret and a Gaussian error of {@code sigma ≥ 3.19}. {@link CkksParameters} also
 * checks the error width and the secret distribution (sparse secrets have their own, narrower
 * published bounds); see its class comment for the whole check.
 *
 * <p>Sources of the table, per ring degree (all for a uniform ternary secret, classical attacks):
 * <ul>
 *   <li>N = 2^10 … 2^15, all three levels: the HomomorphicEncryption.org Homomorphic Encryption
 *       Standard v1.1 (Albrecht et al., 2018), table for ternary secrets; the same numbers are
 *       OpenFHE's {@code HEStd_ternary} rows (src/core/lib/lattice/stdlatticeparms.cpp):
 *       128-bit 27, 54, 109, 218, 438, 881; 192-bit 19, 37, 75, 152, 305, 611;
 *       256-bit 14, 29, 58, 118, 237, 476.</li>
 *   <li>N = 2^16 and 2^17, all three levels: Bossuat et al., "Security Guidelines for Implementing
 *       Homomorphic Encryption" (IACR ePrint 2024/463, IACR Communications in Cryptology 1(4),
 *       Table 5.2, lattice estimator with the MATZOV cost model), also OpenFHE v1.5 {@code HEStd_ternary}:
 *       128-bit 1747, 3523; 192-bit 1199, 2411; 256-bit 929, 1866.</li>
 * </ul>
 * Other ring degrees have no published bound and are refused with
 * {@link CkksException.InsecureParametersException} (only {@link #NONE_INSECURE} accepts them).
 *
 * <p>Note: for N ≤ 2^15 the 2024 guidelines' re-estimates are a few bits lower than the 2018
 * standard (128-bit: 106, 214, 430, 868 at N = 2^12 … 2^15); this table follows the standard there.
 */
public enum SecurityLevel {
    /** 128-bit classical security (the default). */
    CLASSICAL_128(new int[] {27, 54, 109, 218, 438, 881, 1747, 3523}),
    /** 192-bit classical security. */
    CLASSICAL_192(new int[] {19, 37, 75, 152, 305, 611, 1199, 2411}),
    /** 256-bit classical security. */
    CLASSICAL_256(new int[] {14, 29, 58, 118, 237, 476, 929, 1866}),
    /**
     * No security check: for tests and experiments only. Ciphertexts made under such parameters may
     * be decryptable by anyone.
     */
    NONE_INSECURE(null);

    private static final int FIRST_LOG_N = 10;

    private final int[] maxLogQp; // index logN - FIRST_LOG_N

    SecurityLevel(int[] maxLogQp) {
        this.maxLogQp = maxLogQp;
    }

    /**
     * Whether a bound is published for ring degree {@code 2^logN} at this level (always true for
     * {@link #NONE_INSECURE}).
     */
    public boolean hasBound(int logN) {
        return maxLogQp == null || (logN >= FIRST_LOG_N && logN < FIRST_LOG_N + maxLogQp.length);
    }

    /**
     * The largest {@code log2(Q·P)} allowed at ring degree {@code 2^logN} for a uniform ternary secret
     * ({@link Integer#MAX_VALUE} for {@link #NONE_INSECURE}).
     *
     * @throws CkksException.InsecureParametersException if no bound is published for this ring degree
     *         and level
     */
    public int maxLogQp(int logN) {
        if (maxLogQp == null) {
            return Integer.MAX_VALUE;
        }
        if (!hasBound(logN)) {
            throw new CkksException.InsecureParametersException("no published " + this + " bound on log2(Q·P) for N = 2^"
                    + logN + " (bounds are published for N = 2^" + FIRST_LOG_N + " … 2^" + (FIRST_LOG_N + maxLogQp.length - 1)
                    + "); use a ring degree with a published bound, or opt out explicitly with SecurityLevel.NONE_INSECURE");
        }
        return maxLogQp[logN - FIRST_LOG_N];
    }
}
