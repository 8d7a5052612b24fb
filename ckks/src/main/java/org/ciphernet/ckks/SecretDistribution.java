package org.ciphernet.ckks;

/**
 * How secret-key coefficients are drawn. The security check of {@link CkksParameters} depends on it:
 * each distribution is accepted only where a published estimate covers it.
 */
public enum SecretDistribution {
    /**
     * Each coefficient uniform in {-1, 0, 1} (the default). This is what the {@link SecurityLevel}
     * tables (HomomorphicEncryption.org standard, 2024 guidelines) assume.
     */
    UNIFORM_TERNARY,
    /**
     * Exactly h coefficients are ±1 (uniform signs), the rest 0: smaller noise, but far less entropy,
     * and weaker against hybrid attacks than the uniform tables model. At a checked level only
     * published points are accepted: 128-bit with h = 192 at N = 2^15 (log2(Q·P) ≤ 768) or N = 2^16
     * (log2(Q·P) ≤ 1550), from Lattigo's sparse-secret parameters (IACR ePrint 2022/024). Any other
     * h, ring degree or level needs {@link SecurityLevel#NONE_INSECURE}.
     */
    SPARSE_TERNARY
}
