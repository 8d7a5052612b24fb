package org.ciphernet.ckks;

/**
 * Classical security levels, with the largest {@code log2(Q·P)} allowed per ring degree for a
 * uniform ternary secret and a Gaussian error of {@code sigma ≥ 3.19}. {@link CkksParameters} also
 * checks the error width and the secret distribution (sparse secrets have their own, narrower
 * published bounds); see its class comment for the whole check.
 *
 * <p>Two published tables, both for a uniform ternary secret and classical attacks, are kept side by
 * side below, and the bound used is, for each ring degree and level, the <em>smaller</em> of the two:
 * <ul>
 *   <li>The 2018 standard (first array of each level): the HomomorphicEncryption.org Homomorphic
 *       Encryption Standard v1.1 (Albrecht et al., November 2018, IACR ePrint 2019/939), table of
 *       ternary-secret bounds, N = 2^10 … 2^15; the same numbers are Microsoft SEAL's
 *       {@code SEAL_HE_STD_PARMS_*_TC} (native/src/seal/util/hestdparms.h):
 *       128-bit 27, 54, 109, 218, 438, 881; 192-bit 19, 37, 75, 152, 305, 611;
 *       256-bit 14, 29, 58, 118, 237, 476.</li>
 *   <li>The 2024 guidelines (second array): Bossuat et al., "Security Guidelines for Implementing
 *       Homomorphic Encryption" (IACR ePrint 2024/463; IACR Communications in Cryptology 1(4)),
 *       Table 5.2, classical ternary column, computed with the lattice estimator (MATZOV reduction-cost
 *       model; primal uSVP, primal BDD, primal hybrid and dual hybrid attacks; error stddev 3.19;
 *       max_logQ_tables.py in the repository below); transcribed by the authors' repository as
 *       {@code TableClassicalTernary} ("Table 5.2") in github.com/gong-cr/FHE-Security-Guidelines,
 *       RNS-CKKS-examples/lattigo/parameters/tables.go (commit 393aaf9, September 2024), N = 2^10 … 2^17:
 *       128-bit 26, 53, 106, 214, 430, 868, 1747, 3523; 192-bit (from 2^11) 36, 73, 147, 297, 597,
 *       1199, 2411; 256-bit (from 2^11) 27, 56, 114, 230, 462, 929, 1866. The table has no 192- or
 *       256-bit entry for N = 2^10, where the 2018 standard's 19 and 14 bits remain the only source
 *       (and N = 2^10 is refused at every checked level anyway, see {@code SecurityBounds}).</li>
 * </ul>
 *
 * <p>Why the minimum: the 2024 estimates come from a newer lattice estimator and cost model, and for
 * every ring degree both tables cover they are 1 to 14 bits <em>lower</em> than the 2018 standard; a
 * modulus the newest published estimate puts below the level is not accepted as that level, even if
 * an older table allowed it. Taking the minimum (rather
 * than simply the 2024 table) also keeps the result no larger than the 2018 standard should a
 * future edit add a row where the newer table is the larger one. Resulting bounds:
 * 128-bit 26, 53, 106, 214, 430, 868, 1747, 3523; 192-bit 19, 36, 73, 147, 297, 597, 1199, 2411;
 * 256-bit 14, 27, 56, 114, 230, 462, 929, 1866 (N = 2^10 … 2^17).
 *
 * <p>Other ring degrees have no published bound and are refused with
 * {@link CkksException.InsecureParametersException} (only {@link #NONE_INSECURE} accepts them).
 */
public enum SecurityLevel {
    // each level: the 2018 standard's row (N = 2^10 … 2^15), then the 2024 guidelines' row (2^10 … 2^17);
    // 0 marks a cell the source does not publish

    /** 128-bit classical security (the default). */
    CLASSICAL_128(new int[] {27, 54, 109, 218, 438, 881},
            new int[] {26, 53, 106, 214, 430, 868, 1747, 3523}),
    /** 192-bit classical security. */
    CLASSICAL_192(new int[] {19, 37, 75, 152, 305, 611},
            new int[] {0, 36, 73, 147, 297, 597, 1199, 2411}),
    /** 256-bit classical security. */
    CLASSICAL_256(new int[] {14, 29, 58, 118, 237, 476},
            new int[] {0, 27, 56, 114, 230, 462, 929, 1866}),
    /**
     * No security check: for tests and experiments only. Ciphertexts made under such parameters may
     * be decryptable by anyone.
     */
    NONE_INSECURE(null, null);

    /** The first ring degree of both tables, N = 2^10. */
    private static final int FIRST_LOG_N = 10;

    /** A table cell with no published value (written 0 in the tables above). */
    private static final int ABSENT = 0;

    private final int[] standard2018; // index logN - FIRST_LOG_N
    private final int[] guidelines2024; // index logN - FIRST_LOG_N
    private final int[] maxLogQp; // the smaller published value per ring degree

    SecurityLevel(int[] standard2018, int[] guidelines2024) {
        this.standard2018 = standard2018;
        this.guidelines2024 = guidelines2024;
        this.maxLogQp = standard2018 == null ? null : smallerPublished(standard2018, guidelines2024);
    }

    /** Per ring degree, the smaller of the values published in either table (ABSENT where neither has one). */
    private static int[] smallerPublished(int[] a, int[] b) {
        int[] min = new int[Math.max(a.length, b.length)];
        for (int i = 0; i < min.length; i++) {
            int x = i < a.length ? a[i] : ABSENT;
            int y = i < b.length ? b[i] : ABSENT;
            min[i] = x == ABSENT ? y : y == ABSENT ? x : Math.min(x, y);
        }
        return min;
    }

    /**
     * Whether a bound is published for ring degree {@code 2^logN} at this level (always true for
     * {@link #NONE_INSECURE}).
     */
    public boolean hasBound(int logN) {
        return maxLogQp == null || (logN >= FIRST_LOG_N && logN < FIRST_LOG_N + maxLogQp.length
                && maxLogQp[logN - FIRST_LOG_N] != ABSENT);
    }

    /**
     * The largest {@code log2(Q·P)} allowed at ring degree {@code 2^logN} for a uniform ternary secret:
     * the smaller of the 2018 standard's and the 2024 guidelines' bounds (see the class comment);
     * {@link Integer#MAX_VALUE} for {@link #NONE_INSECURE}.
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

    /**
     * The bound of the HomomorphicEncryption.org standard v1.1 (2018) alone at ring degree
     * {@code 2^logN}, or 0 where the standard has none (N above 2^15, or {@link #NONE_INSECURE});
     * for documentation and tests, the check uses {@link #maxLogQp}.
     */
    int standard2018MaxLogQp(int logN) {
        return cell(standard2018, logN);
    }

    /**
     * The bound of the 2024 guidelines (ePrint 2024/463, Table 5.2) alone at ring degree
     * {@code 2^logN}, or 0 where the table has none; for documentation and tests, the check uses
     * {@link #maxLogQp}.
     */
    int guidelines2024MaxLogQp(int logN) {
        return cell(guidelines2024, logN);
    }

    private static int cell(int[] table, int logN) {
        int i = logN - FIRST_LOG_N;
        return table == null || i < 0 || i >= table.length ? ABSENT : table[i];
    }

    /** The classical security in bits this level promises: 128, 192 or 256, and 0 for {@link #NONE_INSECURE}. */
    public int bits() {
        return switch (this) {
            case CLASSICAL_128 -> 128;
            case CLASSICAL_192 -> 192;
            case CLASSICAL_256 -> 256;
            case NONE_INSECURE -> 0;
        };
    }
}
