/**
 * Leveled RNS-CKKS homomorphic encryption on top of {@code org.ciphernet.ntt}: parameters with
 * security checks, encoder, keys, encryption, decryption, and an evaluator with hybrid key
 * switching and hoisted rotations.
 */
module org.ciphernet.ckks {
    requires transitive org.ciphernet.ntt;

    exports org.ciphernet.ckks;
}
