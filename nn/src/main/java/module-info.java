/** The HE-CNN engine: plans and runs HE-friendly CNNs on CKKS ciphertexts. */
module org.ciphernet.nn {
    requires transitive org.ciphernet.ckks;

    exports org.ciphernet.nn;
    exports org.ciphernet.nn.model;
}
