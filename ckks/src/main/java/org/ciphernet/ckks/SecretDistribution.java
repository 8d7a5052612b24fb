package org.ciphernet.ckks;

/** How secret-key coefficients are drawn. */
public enum SecretDistribution {
    /** Each coefficient uniform in {-1, 0, 1} (the default; what the security table assumes). */
    UNIFORM_TERNARY,
    /** Exactly h coefficients are ±1 (uniform signs), the rest 0: smaller noise, see the Hamming weight. */
    SPARSE_TERNARY
}
