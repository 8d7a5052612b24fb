/** The HE-CNN engine: plans and runs HE-friendly CNNs on CKKS ciphertexts, and imports ONNX models. */
module org.ciphernet.nn {
    requires transitive org.ciphernet.ckks;
    requires com.google.protobuf;

    exports org.ciphernet.nn;
    exports org.ciphernet.nn.compiler;
    exports org.ciphernet.nn.model;
    exports org.ciphernet.nn.plan;
    exports org.ciphernet.nn.onnx;
}
