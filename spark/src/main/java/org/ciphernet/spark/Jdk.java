package org.ciphernet.spark;

/** The JDK check Spark needs, made before Spark starts so the message is ours and clear. */
public final class Jdk {
    private Jdk() {
    }

    /**
     * Refuses JDK 25.0.0 to 25.0.2, which Spark 4.2 refuses too (a G1 garbage-collector bug that
     * corrupts data, fixed in 25.0.3), and JDKs before 25.
     *
     * @throws IllegalStateException naming the running JDK and what to install
     */
    public static void requireSparkCompatible() {
        Runtime.Version v = Runtime.version();
        if (v.feature() < 25 || (v.feature() == 25 && v.interim() == 0 && v.update() < 3)) {
            throw new IllegalStateException("Spark needs JDK 25.0.3 or later (JDK 25.0.0 to 25.0.2 have a G1 bug that corrupts data, "
                    + "and Spark refuses them); this is " + System.getProperty("java.home") + " (" + v
                    + "): install a newer JDK 25 and set JAVA_HOME to it");
        }
    }
}
