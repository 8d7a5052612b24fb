package org.ciphernet.ckks;

/**
 * Security levels of the HomomorphicEncryption.org standard for uniform ternary secrets (classical
 * attacks), with the largest {@code log2(Q·P)} allowed per ring degree.
 *
 * <p>128-bit bounds: N = 2^10 … 2^15 from the standard (27, 54, 109, 218, 438, 881), 2^16 and
 * 2^17 as revised in OpenFHE (1747, 3523). 192- and 256-bit bounds are published up to N = 2^15
 * only; for larger rings those levels are refused rather than guessed.
 */
public enum SecurityLevel {
    /** 128-bit classical security (the default). */
    CLASSICAL_128(new int[] {27, 54, 109, 218, 438, 881, 1747, 3523}),
    /** 192-bit classical security. */
    CLASSICAL_192(new int[] {19, 37, 75, 152, 305, 611, -1, -1}),
    /** 256-bit classical security. */
    CLASSICAL_256(new int[] {14, 29, 58, 118, 237, 476, -1, -1}),
    /**
     * No security check: for tests and experiments only. Ciphertexts made under such parameters may
     * be decryptable by anyone.
     */
    NONE_INSECURE(null);

    private final int[] maxLogQp; // index logN - 10

    SecurityLevel(int[] maxLogQp) {
        this.maxLogQp = maxLogQp;
    }

    /**
     * The largest {@code log2(Q·P)} allowed at ring degree {@code 2^logN}.
     *
     * @throws IllegalArgumentException if no bound is published for this ring degree and level
     */
    public int maxLogQp(int logN) {
        if (maxLogQp == null) {
            return Integer.MAX_VALUE;
        }
        if (logN < 10 || logN > 17 || maxLogQp[logN - 10] < 0) {
            throw new IllegalArgumentException("no published " + this + " bound for N = 2^" + logN
                    + "; use CLASSICAL_128 or a ring degree with a published bound");
        }
        return maxLogQp[logN - 10];
    }
}
