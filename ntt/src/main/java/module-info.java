/**
 * Ciphernet's arithmetic core: modular arithmetic, NTT-friendly primes, the negacyclic NTT,
 * RNS arithmetic and Galois automorphisms. The Vector API is optional at run time: without
 * {@code --add-modules jdk.incubator.vector} the scalar backend is used.
 */
module org.ciphernet.ntt {
    requires static jdk.incubator.vector;

    exports org.ciphernet.ntt;
    exports org.ciphernet.ring;
}
