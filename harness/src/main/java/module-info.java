/** The reproducibility harness: trained models, real test images, encrypted inference, reports. */
module org.ciphernet.harness {
    requires transitive org.ciphernet.nn;
    requires com.google.gson;
    requires org.jfree.jfreechart;
    requires java.desktop;

    exports org.ciphernet.harness;
    opens org.ciphernet.harness to com.google.gson;
}
